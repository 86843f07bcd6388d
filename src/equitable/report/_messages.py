"""Every string the reports and workbooks show, by key: the English text here, the other
languages in the one message catalogue per language (``equitable/locale/<lang>/LC_MESSAGES/
messages.po``, see :mod:`equitable.i18n` and docs/translating.md).

Keys are short English identifiers; ``{name}`` placeholders are filled with ``str.format``. In the
catalogue each message is its English text (``msgid``) with its key as context (``msgctxt``), so
two keys with the same English may be translated differently. ``pybabel extract`` reads the
``MESSAGES["en"]`` tables of this module (:func:`equitable.i18n.extract_message_tables`): add a
message here, in English, and its translation to each catalogue.
Numbers, money and percents are formatted with Babel for each language's locale
(``en_US`` and ``es_US``: the Spanish of the United States, as LAUSD's Spanish notices use).
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from equitable.i18n import translate_in
from equitable.money import format_money, locale_of

#: The English text of every message by key (``MESSAGES["en"]``); other languages are in the
#: catalogues.
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "lang_name": "English",
        "other_lang": "Español",
        "title": "School need tiers and allocation",
        "subtitle": "{n_schools} schools, {n_students} students, budget {budget}",
        "generated_by": "Made with equitable {version} from public data. Same inputs, same result.",
        "summary": "Summary",
        "summary_text": (
            "{n_schools} schools were ranked by a need index and cut into {n_tiers} tiers. "
            "A budget of {budget} was divided among them by per-pupil rates that rise with need; "
            "the school amounts, in whole cents, add up to the budget exactly."
        ),
        "map": "Map of schools by tier",
        "map_text": (
            "Each dot is a school, coloured by its tier; grey shapes are 2010 census tracts. "
            "How each school was placed (tract polygon, nearest tract centre, or not placed) is "
            "in the placement column of schools.csv and of the Schools sheet of allocation.xlsx."
        ),
        "tier_table": "Tiers",
        "tier": "Tier",
        "need_level": "Need level",
        "scenario": "This is a scenario, not the district's budget.",
        "scenario_text": (
            "The dollars follow weights per student chosen as assumptions for this plan; they "
            "are not what the school actually receives."
        ),
        "schools": "Schools",
        "students": "Students",
        "amount": "Allocation",
        "rate": "Rate per pupil",
        "per_pupil": "Allocation per pupil",
        "share_students": "Share of students",
        "share_dollars": "Share of dollars",
        "total": "Total",
        "shares": "Share of dollars and share of students by tier",
        "shares_text": (
            "When a tier's share of dollars is larger than its share of students, money follows "
            "need toward that tier."
        ),
        "equity_text": (
            "Dollars per pupil for the quarter of students in the schools with the most "
            "low-income students are {ratio} times those for the quarter with the fewest; the "
            "concentration index is {ci} (below 0: the dollars are concentrated among the "
            "highest-need students)."
        ),
        "distribution": "Distribution of per-pupil amounts",
        "distribution_text": "How many schools receive each amount per pupil, by tier.",
        "count_of_schools": "Number of schools",
        "methods": "Methods",
        "methods_index": (
            "Index: {title}. Each indicator is turned into a percentile rank among the ranked "
            "schools ({normalise}); where a higher value means less need, the ranking is "
            "reversed. The score is the weighted {aggregation} of the indicator (or theme) scores with the weights below; schools are "
            "ranked by score (1 = highest need) and cut into {n_tiers} tiers of equal count."
        ),
        "methods_missing": (
            "Missing values: {rule}. Schools that lacked at least one indicator: {n_flagged}; "
            "the missing_indicators column of schools.csv lists which."
        ),
        "methods_placement": (
            "Census tract of each school: the 2010 tract polygon containing the school's "
            "point from the CDE directory ({n_polygon} schools); otherwise the tract with the "
            "nearest CalEnviroScreen centroid ({n_centroid}); schools missing from the 2018 "
            "directory ({n_unplaced}) have no point and are marked not placed (their community "
            "indicators follow the missing-value rule)."
        ),
        "methods_allocation": (
            "Allocation: per-pupil weights by tier are scaled by one factor so that the sum of "
            "the school amounts equals the budget of {budget}; amounts are rounded to whole cents "
            "by the largest-remainder method."
        ),
        "methods_assumption": (
            "Every weight is an assumption that a user should set: LAUSD's own SENI weights are "
            "not in the public files used here."
        ),
        "indicator": "Indicator",
        "indicators": "Indicators and weights",
        "method_details": "The index, step by step (generated from the spec)",
        "theme": "Theme",
        "direction": "Direction",
        "weight": "Weight",
        "source_column": "Column",
        "higher_is_more_need": "higher = more need",
        "lower_is_more_need": "lower = more need",
        "theme_weights": "Theme weights",
        "tier_weights": "Per-pupil weights by tier",
        "inputs": "Input files",
        "file": "File",
        "sha256": "SHA-256",
        "school": "School",
        "cds_code": "CDS code",
        "score": "Score",
        "rank": "Rank",
        "neighbourhood": "Neighbourhood",
        "placement": "Placement",
        "tract polygon": "tract polygon",
        "nearest tract centroid": "nearest tract centre",
        "not placed": "not placed",
        "suppressed_note": "* = a group of 10 or fewer students, not shown.",
        "score_range": "Scores",
        "cut_scores": "Cut scores (the lowest score in each tier but the last): {cuts}.",
        "cut_scores_fixed": "Cut scores (fixed, on the {basis}): {cuts}.",
        "tier_unequal": (
            "Tied scores make the tiers unequal: {counts} schools (without ties: {untied}); "
            "tied schools share the higher-need tier."
        ),
        "tier_empty": "No school is in the group “{tier}”.",
        "remainder_tie": (
            "Rounding to whole cents: {n} schools had exactly equal remainders; {k} of them got "
            "the extra cent by the tie-break rule '{rule}' (run.json lists them)."
        ),
        "exclude": "reweight: the school is scored on the indicators it has, their weights rescaled",
        "reweight": "reweight: the school is scored on the indicators it has, their weights rescaled",
        "impute_mean": "the mean of the ranked schools is used",
        "impute_median": "the median of the ranked schools is used",
        "impute_zero": "zero is used",
        "mean": "mean",
        "sum": "sum",
        "geometric_mean": "geometric mean",
        "product": "product",
        "percentile_svi": "(rank - 1) / (N - 1), ties at the lowest rank, on 0-100",
        "percentile_ces": "percent of nonzero values below, on 0-100",
        "all_schools": "All schools",
        "school_list": "Every school: rank, tier and allocation",
        "school_list_hint": "Type part of a school's name or neighbourhood to find it.",
        "find_school": "Find a school",
        "longitude": "Longitude",
        "latitude": "Latitude",
    },
}

#: What changed the result (``equitable run`` caveats, see :func:`caveat_text`): one message
#: per caveat code, shown on the terminal (English) and in both reports.
MESSAGES["en"].update({
    "caveats": "Caveats: what changed the result",
    "caveats_text": (
        "These conditions of the data moved schools between ranks, tiers or amounts; run.json "
        "lists them under \"caveats\"."
    ),
    "caveat_placed_by_nearest_tract": (
        "Schools outside every tract polygon, given the tract with the nearest centroid "
        "instead: {count} (largest distance {distance} m; see the placement column of "
        "schools.csv)."
    ),
    "caveat_not_placed": (
        "Schools not placed in any census tract (no coordinates in the school directory), so "
        "without community indicators: {count}."
    ),
    "caveat_fewer_indicators": (
        "Schools scored on fewer indicators than the index has: {count} (schools missing "
        "each: {indicators}; see the missing_indicators column of schools.csv)."
    ),
    "caveat_tracts_missing_from_community_file": (
        "Census tracts of {tracts_file} missing from {file}: {count} (ranked schools in them, "
        "without community indicators: {schools})."
    ),
    "caveat_health_placed_by_nearest_tract": (
        "Schools whose community health values (CalEnviroScreen, SVI, Healthy Places Index, "
        "vaccine equity quartile) are those of the nearest census tract, not of a tract they "
        "stand in: {count} (largest distance {distance} m; see the placement column of "
        "health.csv)."
    ),
})


def caveat_text(lang: str, caveat: dict) -> str:
    """One caveat of ``equitable run`` (a dict with ``code``, ``count`` and the details of its
    code, as in run.json) as a sentence in ``lang``, numbers formatted for the locale."""
    kw: dict[str, object] = {"count": number(lang, caveat["count"])}
    if "max_distance_m" in caveat:
        kw["distance"] = number(lang, caveat["max_distance_m"], 1)
    if "indicators" in caveat:
        kw["indicators"] = ", ".join(f"{code} {number(lang, n)}"
                                     for code, n in caveat["indicators"].items())
    for key in ("file", "tracts_file"):
        if key in caveat:
            kw[key] = caveat[key]
    if "schools" in caveat:
        kw["schools"] = number(lang, caveat["schools"])
    return t(lang, f"caveat_{caveat['code']}", **kw)


#: Tier labels as the index writes them (``"1 Highest"``): the words after the number, each a
#: message of the catalogue (key ``tier_word_<word>``), so ``tier_label`` translates word by word.
MESSAGES["en"].update({
    "tier_word_Highest": "Highest",
    "tier_word_High": "High",
    "tier_word_Moderate": "Moderate",
    "tier_word_Low": "Low",
    "tier_word_Lowest": "Lowest",
})

#: Need levels of a five- or three-tier index, highest need first: the same words as the public
#: dashboard (:func:`equitable.web.dashboard._present.level_name`), after the CDE California
#: School Dashboard's plain level names; an index with other tiers gets ``need_group``.
MESSAGES["en"].update({
    "need_highest": "Highest need",
    "need_high": "High need",
    "need_moderate": "Moderate need",
    "need_low": "Low need",
    "need_lowest": "Lowest need",
    "need_group": "Need group {k} of {n} (1 = highest need)",
})
NEED_LEVELS = {
    5: ("need_highest", "need_high", "need_moderate", "need_low", "need_lowest"),
    3: ("need_highest", "need_moderate", "need_lowest"),
}


def t(lang: str, key: str, **kwargs: object) -> str:
    """The message ``key`` in ``lang``, with ``{placeholders}`` filled (``str.format``).

    The English text is ``MESSAGES["en"][key]``; another language's is the translation of that
    text with ``key`` as its context (``msgctxt``) in the language's catalogue
    (:func:`equitable.i18n.translate_in`). A language without a catalogue, or a message it does
    not translate, gets English; an unknown key is returned as it is.
    """
    english = MESSAGES["en"].get(key)
    if english is None:
        text = key
    else:
        text = translate_in(lang, key, english)
    return text.format(**kwargs) if kwargs else text


def need_level(lang: str, labels: list[str], label: str) -> str:
    """A tier as a need level in words (``"1 Highest"`` of five tiers -> ``"Highest need"`` /
    ``"Necesidad más alta"``), never a bare tier number; an index with other than 3 or 5 tiers
    gets "Need group k of n (1 = highest need)". A label not among ``labels`` is returned as
    :func:`tier_label` gives it."""
    if label not in labels:
        return tier_label(lang, label)
    i, n = labels.index(label), len(labels)
    keys = NEED_LEVELS.get(n)
    if keys:
        return t(lang, keys[i])
    return t(lang, "need_group", k=i + 1, n=n)


def tier_label(lang: str, label: str, spanish: dict[str, str] | None = None) -> str:
    """A tier label (``"1 Highest"``) in ``lang`` (``"1 Más alta"``): the spec's own Spanish
    label (``spanish``, from ``tiers.labels_es``) or, failing that, word by word from the
    catalogue (``tier_word_<word>``; a word it does not know is kept)."""
    if lang == "en":
        return label
    if lang == "es" and spanish and label in spanish:
        return spanish[label]
    num, _, word = label.partition(" ")
    if not word:
        return label
    if f"tier_word_{word}" in MESSAGES["en"]:
        word = t(lang, f"tier_word_{word}")
    return f"{num} {word}".strip()


def label_of(lang: str, code: str, english: str | None, spanish: str | None = None) -> str:
    """An indicator's or theme's label in ``lang``: the spec's ``label_es`` in Spanish when it
    has one, else its ``label``, else its code."""
    if lang == "es" and spanish:
        return spanish
    return english or code


def money(lang: str, dollars: float, decimals: int = 0) -> str:
    """``$700,000,000`` (en) / ``US$700,000,000`` style (es_US shows ``$``):
    :func:`equitable.money.format_money` in ``lang``."""
    return format_money(dollars, lang=lang, decimals=decimals)


def number(lang: str, value: float, decimals: int = 0) -> str:
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=fmt, locale=locale_of(lang))


def percent(lang: str, fraction: float, decimals: int = 1) -> str:
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(fraction, format=fmt, locale=locale_of(lang))


#: The budget workbooks (``allocation.xlsx``, ``allocation.es.xlsx``, ``compare.xlsx``): sheet
#: names, column headers with their units, section titles and rule labels.
MESSAGES["en"].update({
    "xl_summary": "Summary",
    "xl_schools": "Schools",
    "xl_caveats": "Caveats",
    "xl_budget_line": (
        "Budget: {budget}. School amounts in whole cents add up to the budget exactly "
        "(largest-remainder rounding)."
    ),
    "xl_tiers": "Tiers: cut scores, schools, students and dollars",
    "xl_min_score": "Lowest score in the tier (cut score)",
    "xl_max_score": "Highest score in the tier",
    "xl_rate": "Rate per pupil ($)",
    "xl_amount": "Allocation ($)",
    "xl_per_pupil": "Dollars per pupil ($)",
    "xl_share_students": "Share of students (%)",
    "xl_share_dollars": "Share of dollars (%)",
    "xl_students": "Students",
    "xl_schools_count": "Schools",
    "xl_check": "Sum of the Schools sheet ($)",
    "xl_prior_section": "Change from the prior year ({column}), by tier",
    "xl_gaining": "Schools gaining",
    "xl_losing": "Schools losing",
    "xl_same": "Schools unchanged",
    "xl_no_prior": "Schools without a prior amount",
    "xl_prior": "Prior-year allocation ($)",
    "xl_change": "Change from the prior year ($)",
    "xl_change_pp": "Change per pupil ($)",
    "xl_weights": "Weights: the index as its spec defines it",
    "xl_level": "Level",
    "xl_family": "Family",
    "xl_code": "Code",
    "xl_name": "Name",
    "xl_weight_in_family": "Weight within its family",
    "xl_share_of_score": "Share of the overall score",
    "xl_column": "Source column",
    "xl_kind_overall": "overall score",
    "xl_kind_family": "family",
    "xl_kind_indicator": "indicator",
    "xl_rules": "Rules and settings",
    "xl_rule": "Rule or setting",
    "xl_value": "Value",
    "xl_yes": "yes",
    "xl_no": "no",
    "xl_sources": "Data sources",
    "xl_input": "Input",
    "xl_year": "Year (from the file name)",
    "xl_bytes": "Size (bytes)",
    "xl_count": "Count",
    "xl_caveat": "Caveat",
    "xl_no_caveats": (
        "No caveats: every school was placed in a tract polygon and scored on every indicator."
    ),
    "xl_concerned": "Schools concerned",
    "xl_distance": "Distance to the tract centre (m)",
    "xl_missing": "Missing indicators",
    "xl_span": "Grade span",
    "xl_enrollment": "Enrollment (students)",
    "xl_score": "Need score",
    "xl_percentile": "Need score (percentile)",
    "xl_pctl_of": "{label} (percentile)",
    "xl_score_of": "{label} (score)",
    "xl_geoid": "Census tract (GEOID)",
    "xl_scenario_col": "{scenario}: {what}",
    "xl_r_config": "Config file",
    "xl_r_name": "Run name",
    "xl_r_budget": "Budget ($)",
    "xl_r_kind": "Allocation rule",
    "xl_r_solve": "Rates solved so the amounts add up to the budget",
    "xl_r_weight": "Per-pupil weight, tier {tier}",
    "xl_r_rate": "Rate per pupil, tier {tier} ($)",
    "xl_r_solved_rate": "Solved rate per pupil, tier {tier} ($)",
    "xl_r_rounding": "Rounding",
    "xl_r_rounding_text": "whole cents by the largest remainder; the total equals the budget",
    "xl_r_tie_break": "Tie-break of equal remainders",
    "xl_r_remainder_tie": "Largest-remainder tie",
    "xl_r_id_column": "School id column",
    "xl_r_enrollment_column": "Enrollment column",
    "xl_r_tier_column": "Tier column",
    "xl_r_index": "Index",
    "xl_r_index_source": "Index source",
    "xl_r_normalise": "Normalisation",
    "xl_r_aggregation": "Aggregation",
    "xl_r_missing": "Missing values",
    "xl_r_tiers": "Tiers",
    "xl_r_tiers_text": "{n} tiers ({method})",
    "xl_r_district": "Selection: district code",
    "xl_r_affiliated": "Selection: affiliated charters included",
    "xl_r_ranked": "Schools ranked",
    "xl_r_not_ranked": "School-table rows not ranked",
    "xl_r_placement": "Placement: {placement}",
    "xl_r_tier_warning": "Tier warning",
    "xl_r_prior": "Prior-year allocation",
    "xl_r_prior_text": "column {column} of {file}",
    "xl_r_republished": "Republished figures",
    "xl_r_republished_text": (
        "{columns}: California Department of Education, as published ({file}); shown "
        "unchanged, no count of students derived"
    ),
    "xl_r_version": "equitable version",
    "xl_r_label": "Label",
    "xl_r_source": "Source file",
    "xl_r_scenario": "Scenario",
    "kind_tier_rates": "per-pupil rates by tier",
    "kind_proportional": "in proportion to enrollment and need",
    "tie_id": "ascending school id",
    "tie_need": "higher need first",
})

#: ``compare.xlsx``: column headers of the comparison tables (``cmp_<column>``) and of each
#: scenario's columns (``cmp_s_<suffix>``, shown as "<scenario>: <header>").
MESSAGES["en"].update({
    "cmp_scenario": "Scenario",
    "cmp_source": "Source file",
    "cmp_kind": "Allocation rule",
    "cmp_vs": "Compared with",
    "cmp_total_dollars": "Allocation ($)",
    "cmp_dollars": "Allocation ($)",
    "cmp_students": "Students",
    "cmp_schools": "Schools",
    "cmp_enrollment": "Enrollment (students)",
    "cmp_dollars_per_pupil": "Dollars per pupil ($)",
    "cmp_progressivity_ratio": "Progressivity ratio (dollars per pupil, highest-need quarter / "
                               "lowest-need quarter)",
    "cmp_slope_per_point": "Dollars per pupil per point of need ($)",
    "cmp_concentration_index": "Concentration index (below 0: toward need)",
    "cmp_highest_need_quartile_share_dollars": "Highest-need quarter: share of dollars (%)",
    "cmp_highest_need_quartile_share_students": "Highest-need quarter: share of students (%)",
    "cmp_schools_gaining": "Schools gaining",
    "cmp_schools_losing": "Schools losing",
    "cmp_schools_same": "Schools unchanged",
    "cmp_dollars_moved": "Dollars moved ($)",
    "cmp_largest_gain": "Largest gain of a school ($)",
    "cmp_largest_loss": "Largest loss of a school ($)",
    "cmp_tier": "Tier",
    "cmp_group": "Group",
    "cmp_share_students": "Share of students (%)",
    "cmp_share_dollars": "Share of dollars (%)",
    "cmp_cds_code": "CDS code",
    "cmp_school_name": "School",
    "cmp_name": "School",
    "cmp_s_dollars": "allocation ($)",
    "cmp_s_per_pupil": "dollars per pupil ($)",
    "cmp_s_share_dollars": "share of dollars (%)",
    "cmp_s_change_dollars": "change from the baseline ($)",
    "cmp_s_change_per_pupil": "change per pupil from the baseline ($)",
    "cmp_s_result": "gains, loses or same",
    "cmp_pct_frpm": "Eligible for free or reduced-price meals, percent (0-100)",
    "cmp_frpm_pct": "Eligible for free or reduced-price meals, percent (0-100)",
    "cmp_low_income_pct": "Low income, percent (0-100)",
    "cmp_pct_low_income": "Low income, percent (0-100)",
    "cmp_unduplicated_pupil_pct": "Unduplicated pupils, percent (0-100)",
    "cmp_total_ppe": "Actual spending per pupil ($)",
    "cmp_dollars_to_students_ratio": "Share of dollars over share of students",
    "cmp_cum_students_share": "Cumulative share of students, highest need first (%)",
    "cmp_cum_dollars_share": "Cumulative share of dollars (%)",
    "cmp_spending_schools": "Schools with actual spending per pupil",
    "cmp_spending_q1_before": "Actual spending per pupil, lowest-need quarter, before ($)",
    "cmp_spending_q4_before": "Actual spending per pupil, highest-need quarter, before ($)",
    "cmp_spending_q1_after": "Actual spending per pupil, lowest-need quarter, with the new "
                             "money ($)",
    "cmp_spending_q4_after": "Actual spending per pupil, highest-need quarter, with the new "
                             "money ($)",
    "cmp_spending_gap_before": "Spending gap, highest- minus lowest-need quarter, before ($)",
    "cmp_spending_gap_after": "Spending gap, highest- minus lowest-need quarter, with the new "
                              "money ($)",
    "cmp_spending_ratio_before": "Spending ratio, highest- over lowest-need quarter, before",
    "cmp_spending_ratio_after": "Spending ratio, highest- over lowest-need quarter, with the "
                                "new money",
    "cmp_spending_concentration_index_before": "Concentration index of spending by need, before",
    "cmp_spending_concentration_index_after": "Concentration index of spending by need, with "
                                              "the new money",
    "cmp_spending_direction": "Direction of the change",
    "cmp_spending_size": "Size of the spending gap",
    "cmp_v_more_progressive": "more progressive",
    "cmp_v_less_progressive": "less progressive",
    "cmp_v_unchanged": "unchanged",
    "cmp_v_narrows": "narrows",
    "cmp_v_widens": "widens",
})
MESSAGES["en"].update({
    "page_skip": "Skip to the content",
    "page_caveats": "Notes and caveats",
    "page_sources": "Sources",
    "page_made_with": "Made with equitable {version}. Same inputs, same result.",
    "cmp_title": "Allocation scenarios compared",
    "cmp_baseline_text": "Baseline: {baseline}. Scenarios: {scenarios}.",
    "cmp_summary": "Summary",
    "cmp_measure": "Measure",
    "cmp_winners": "Winners and losers (vs the baseline)",
    "cmp_by_tier": "By tier",
    "cmp_by_quartile": "By need quartile",
    "cmp_charts": "Charts",
    "cmp_spending_text": (
        "{scenario}: actual per-pupil spending ({column}) in the highest-need quartile minus the "
        "lowest-need quartile goes from {before} to {after}: the gap {size} and spending "
        "becomes {direction} (concentration index {ci_before} to {ci_after})."
    ),
    "cmp_size_narrows": "narrows",
    "cmp_size_widens": "widens",
    "cmp_size_unchanged": "is unchanged",
    "cmp_direction_more_progressive": "more progressive",
    "cmp_direction_less_progressive": "less progressive",
    "cmp_direction_unchanged": "just as progressive",
    "cmp_quartile_1": "Q1 lowest need",
    "cmp_quartile_2": "Q2",
    "cmp_quartile_3": "Q3",
    "cmp_quartile_4": "Q4 highest need",
    "cmp_fig_per_pupil": "Dollars per pupil by tier",
    "cmp_axis_per_pupil": "dollars per pupil",
    "cmp_axis_tier": "tier",
    "cmp_fig_curves": "Concentration curves (students ranked by {column}, highest need first)",
    "cmp_equal_line": "equal dollars per pupil",
    "cmp_axis_cum_students": "cumulative share of students",
    "cmp_axis_cum_dollars": "cumulative share of dollars",
    "cmp_fig_change": "Change in dollars per pupil from the baseline, by need",
    "cmp_axis_change": "change, dollars per pupil",
    "cmp_method": "Method",
    "cmp_method_per_pupil": "Per-pupil figures are enrollment-weighted (a group's dollars over "
                            "its students).",
    "cmp_method_quartiles": "Need quartiles hold about a quarter of the students each, by "
                            "{column} (higher = more need).",
    "cmp_method_ratio": "Progressivity ratio: dollars per pupil in the highest-need quartile "
                        "over the lowest (The Education Trust, Funding Gaps 2018).",
    "cmp_method_slope": "Slope: enrollment-weighted least squares of dollars per pupil on the "
                        "need column (Baker, Farrie & Sciarra, Is School Funding Fair?, 2018).",
    "cmp_method_ci": (
        "Concentration index C = 2 cov(y, r) / mean(y) over students ranked from the highest to "
        "the lowest need (O'Donnell et al., Analyzing Health Equity Using Household Survey "
        "Data, World Bank 2008, ch. 7-8). C < 0: dollars concentrated on the highest-need "
        "students; C > 0: on the lowest-need."
    ),
    "cmp_method_privacy": "Groups of 10 or fewer students are suppressed (*).",
    "cmp_source_label": "Scenario {name}",
    "cmp_context_label": "School table (need and spending)",
    "voice_title": "Community voice survey",
    "voice_who": "Who answered, and who is enrolled",
    "voice_who_note": ("Share of respondents, of respondents after weighting, and of enrolled "
                       "students in each group."),
    "voice_population": "Enrolled",
    "voice_respondents": "Respondents",
    "voice_weighted": "Respondents, weighted",
    "voice_results": "Results by group",
    "voice_results_note": (
        "Percent favorable (weighted when weights are given) with 95% Korn-Graubard confidence "
        "intervals. Groups of 10 or fewer respondents are not shown."
    ),
    "voice_pct_fav": "% favorable",
    "voice_questions": "Every question",
    "voice_question": "Question",
    "voice_unweighted": "Unweighted",
    "voice_weighted_col": "Weighted",
    "voice_n": "Respondents",
    "voice_themes": "What people wrote: suggested themes",
    "voice_themes_note": (
        "Themes suggested by a computer (TF-IDF and NMF) for people to review; names, phone "
        "numbers and e-mail addresses are removed from quotes."
    ),
    "voice_terms": "Key words",
    "voice_answers": "Answers",
    "voice_quotes": "Example quotes",
    "voice_rates": "Response rates",
    "voice_group": "Group",
    "voice_enrolled": "Enrolled",
    "voice_rate": "Response rate",
    "voice_weighting_text": (
        "Answers were weighted by raking to enrollment by {vars}. Design effect {deff}; "
        "effective sample size {neff} of {n} respondents; {trimmed} weights trimmed."
    ),
    "voice_not_weighted": "Results are not weighted.",
    "voice_suppressed": "Not shown (10 or fewer respondents): {groups}",
    "voice_all": "All respondents",
    "voice_footer": ("Made with equitable {version}. Privacy: every group of 10 or fewer "
                     "respondents is suppressed (*)."),
    "voice_bd_school": "School",
    "voice_bd_language": "Language",
    "voice_bd_student_group": "Student group",
    "voice_bd_race_ethnicity": "Race/ethnicity",
    "voice_bd_grade_span": "Grade span",
    "voice_lang_en": "English",
    "voice_lang_es": "Spanish",
})
MESSAGES["en"].update({
    "sites_title": "Clinic and information sites",
    "sites_map": "Map of the chosen sites",
    "sites_site": "chosen site",
    "sites_existing": "existing site",
    "sites_reached": "school within reach",
    "sites_desert": "school out of reach",
    "sites_catchment": "catchment",
    "sites_vem": "VEM quartile",
    "sites_coverage": "Students served by Vaccine Equity Metric quartile",
    "sites_comparison": "The chosen sites against naive choices",
    "sites_group": "Group",
    "sites_by": "By",
    "sites_schools": "Schools",
    "sites_students": "Students",
    "sites_served": "Students served",
    "sites_served_pct": "Students served (%)",
    "sites_unserved": "Schools not served",
    "sites_choice": "Choice",
    "sites_sites": "Sites",
    "sites_weighted": "Need-weighted students served",
    "sites_q1": "Served students in VEM quartile 1 (%)",
    "sites_travel": "Need-weighted mean travel to the nearest site ({unit})",
    "sites_all": "all",
    "sites_none": "none",
    "sites_tier": "tier",
    "sites_note": (
        "VEM quartile 1 = the least healthy community conditions (Healthy Places Index 2.0). "
        "Reach: {reach}. Groups of 10 or fewer students are shown as *."
    ),
    "sites_table": "Sites in the order of their marginal gain",
    "sites_order": "Order",
    "sites_id": "Site id",
    "sites_name": "Name",
    "sites_gain": "Added need-weighted students",
    "sites_optimal": "optimal",
    "sites_optimal_free": "optimal without the minimum share",
    "sites_largest": "{k} largest schools",
    "sites_highest_need": "{k} highest-need schools",
})
MESSAGES["en"].update({
    "staff_title": "Staff and student supports where need is greatest",
    "staff_as_of": "Vacancies counted on",
    "staff_year_start": "Fill rate counted from",
    "staff_supports": "Vacancies and student supports by need tier",
    "staff_by_tier": "By need tier (highest need first)",
    "staff_tier": "Tier",
    "staff_schools": "Schools",
    "staff_vacancies": "Vacancies",
    "staff_teacher_vacancy_rate": "Teacher vacancy rate",
    "staff_median_days": "Median days open",
    "staff_long_open": "Open over 60 days",
    "staff_fill_rate": "Filled this year",
    "staff_per_counselor": "Students per counselor",
    "staff_per_social_worker": "Students per social worker",
    "staff_per_psychologist": "Students per psychologist",
    "staff_per_nurse": "Students per nurse",
    "staff_ratio_sources": (
        "Recommended ratios: ASCA 250 students per school counselor; SSWAA 250 per school social "
        "worker; NASP 500 per school psychologist; NASN one nurse per 750 students in general "
        "populations."
    ),
    "staff_equity": "Educator equity gaps",
    "staff_equity_caption": "Share of teacher FTE, highest minus lowest quartile of schools",
    "staff_definitions": (
        "Ineffective, out-of-field and inexperienced as defined by the California State Board of "
        "Education on 6 November 2019; interns count as effective. Quartiles of schools by "
        "percent of students eligible for free or reduced-price meals (poverty) and percent "
        "minority students, within each school level."
    ),
    "staff_notes": "Notes",
    "staff_privacy": "* = a figure about 10 or fewer teachers or students, not shown.",
    "staff_all": "All schools",
})
