"""Every string the reports show, in English and Spanish (the one place to edit translations).

Keys are short English identifiers; ``{name}`` placeholders are filled with ``str.format``.
Numbers, money and percents are formatted with Babel for each language's locale
(``en_US`` and ``es_US``: the Spanish of the United States, as LAUSD's Spanish notices use).
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from equitable.money import LOCALES, format_money

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
    "es": {
        "lang_name": "Español",
        "other_lang": "English",
        "title": "Niveles de necesidad de las escuelas y asignación de fondos",
        "subtitle": "{n_schools} escuelas, {n_students} estudiantes, presupuesto {budget}",
        "generated_by": (
            "Hecho con equitable {version} a partir de datos públicos. Los mismos datos dan el "
            "mismo resultado."
        ),
        "summary": "Resumen",
        "summary_text": (
            "Se ordenaron {n_schools} escuelas según un índice de necesidad y se dividieron en "
            "{n_tiers} niveles. Un presupuesto de {budget} se repartió entre ellas con montos por "
            "alumno que aumentan con la necesidad; los montos de las escuelas, en centavos "
            "enteros, suman exactamente el presupuesto."
        ),
        "map": "Mapa de escuelas por nivel",
        "map_text": (
            "Cada punto es una escuela, con el color de su nivel; las formas grises son los "
            "sectores censales de 2010. Cómo se ubicó cada escuela (polígono del sector, centro "
            "de sector más cercano o no ubicada) figura en la columna placement de schools.csv y "
            "de la hoja Escuelas de allocation.es.xlsx."
        ),
        "tier_table": "Niveles",
        "tier": "Nivel",
        "need_level": "Nivel de necesidad",
        "scenario": "Esto es un escenario, no el presupuesto del distrito.",
        "scenario_text": (
            "Los dólares siguen pesos por estudiante elegidos como supuestos de este plan; no "
            "son lo que la escuela recibe en realidad."
        ),
        "schools": "Escuelas",
        "students": "Estudiantes",
        "amount": "Asignación",
        "rate": "Monto por alumno",
        "per_pupil": "Asignación por alumno",
        "share_students": "Proporción de estudiantes",
        "share_dollars": "Proporción de dólares",
        "total": "Total",
        "shares": "Proporción de dólares y proporción de estudiantes por nivel",
        "shares_text": (
            "Cuando la proporción de dólares de un nivel es mayor que su proporción de "
            "estudiantes, el dinero sigue a la necesidad hacia ese nivel."
        ),
        "equity_text": (
            "Los dólares por alumno del cuarto de estudiantes en las escuelas con más "
            "estudiantes de bajos ingresos son {ratio} veces los del cuarto con menos; el índice "
            "de concentración es {ci} (menor que 0: los dólares se concentran en los estudiantes "
            "con más necesidad)."
        ),
        "distribution": "Distribución de los montos por alumno",
        "distribution_text": "Cuántas escuelas reciben cada monto por alumno, por nivel.",
        "count_of_schools": "Número de escuelas",
        "methods": "Métodos",
        "methods_index": (
            "Índice: {title}. Cada indicador se convierte en un rango percentil entre las "
            "escuelas ordenadas ({normalise}); cuando un valor más alto significa menos necesidad, "
            "el orden se invierte. El puntaje es la {aggregation} ponderada de los puntajes de los "
            "indicadores (o temas), con los pesos de abajo; las escuelas se ordenan por puntaje (1 = mayor necesidad) y se dividen en "
            "{n_tiers} niveles con el mismo número de escuelas."
        ),
        "methods_missing": (
            "Valores faltantes: {rule}. Escuelas a las que les faltó al menos un indicador: "
            "{n_flagged}; la columna missing_indicators de schools.csv indica cuáles."
        ),
        "methods_placement": (
            "Sector censal de cada escuela: el polígono del sector de 2010 que contiene el punto "
            "de la escuela en el directorio del CDE ({n_polygon} escuelas); si no, el sector cuyo "
            "centro de CalEnviroScreen está más cerca ({n_centroid}); las escuelas que no "
            "figuran en el directorio de 2018 ({n_unplaced}) no tienen punto y se marcan como no "
            "ubicadas (sus indicadores comunitarios siguen la regla de valores faltantes)."
        ),
        "methods_allocation": (
            "Asignación: los pesos por alumno de cada nivel se multiplican por un mismo factor "
            "para que la suma de los montos de las escuelas sea igual al presupuesto de "
            "{budget}; los montos se redondean a centavos enteros por el método del mayor resto."
        ),
        "methods_assumption": (
            "Cada peso es un supuesto que el usuario debe fijar: los pesos propios del SENI de "
            "LAUSD no están en los archivos públicos usados aquí."
        ),
        "indicator": "Indicador",
        "indicators": "Indicadores y pesos",
        "method_details": "El índice, paso a paso (generado a partir de la especificación)",
        "theme": "Tema",
        "direction": "Dirección",
        "weight": "Peso",
        "source_column": "Columna",
        "higher_is_more_need": "más alto = más necesidad",
        "lower_is_more_need": "más bajo = más necesidad",
        "theme_weights": "Pesos de los temas",
        "tier_weights": "Pesos por alumno de cada nivel",
        "inputs": "Archivos de entrada",
        "file": "Archivo",
        "sha256": "SHA-256",
        "school": "Escuela",
        "cds_code": "Código CDS",
        "score": "Puntaje",
        "rank": "Posición",
        "neighbourhood": "Vecindario",
        "placement": "Ubicación",
        "tract polygon": "polígono del sector",
        "nearest tract centroid": "centro de sector más cercano",
        "not placed": "no ubicada",
        "suppressed_note": "* = un grupo de 10 estudiantes o menos, no se muestra.",
        "score_range": "Puntuaciones",
        "cut_scores": "Puntuaciones de corte (la más baja de cada nivel salvo el último): {cuts}.",
        "cut_scores_fixed": "Puntuaciones de corte (fijas, sobre {basis}): {cuts}.",
        "tier_unequal": (
            "Los empates en la puntuación hacen desiguales los niveles: {counts} escuelas (sin "
            "empates: {untied}); las escuelas empatadas comparten el nivel de más necesidad."
        ),
        "tier_empty": "Ninguna escuela está en el grupo «{tier}».",
        "remainder_tie": (
            "Redondeo a centavos: {n} escuelas tenían restos exactamente iguales; {k} de ellas "
            "recibieron el centavo extra según la regla de desempate '{rule}' (run.json las "
            "enumera)."
        ),
        "exclude": (
            "reponderar: la escuela se califica con los indicadores que tiene, con sus pesos "
            "reescalados"
        ),
        "reweight": (
            "reponderar: la escuela se califica con los indicadores que tiene, con sus pesos "
            "reescalados"
        ),
        "impute_mean": "se usa la media de las escuelas ordenadas",
        "impute_median": "se usa la mediana de las escuelas ordenadas",
        "impute_zero": "se usa cero",
        "mean": "media",
        "sum": "suma",
        "geometric_mean": "media geométrica",
        "product": "producto",
        "percentile_svi": "(rango - 1) / (N - 1), empates al rango menor, de 0 a 100",
        "percentile_ces": "porcentaje de valores no nulos por debajo, de 0 a 100",
        "all_schools": "Todas las escuelas",
        "school_list": "Todas las escuelas: posición, nivel y asignación",
        "school_list_hint": "Escriba parte del nombre de una escuela o de su vecindario para encontrarla.",
        "find_school": "Buscar una escuela",
        "longitude": "Longitud",
        "latitude": "Latitud",
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
MESSAGES["es"].update({
    "caveats": "Advertencias: lo que cambió el resultado",
    "caveats_text": (
        "Estas condiciones de los datos cambiaron la posición, el nivel o el monto de algunas "
        "escuelas; run.json las enumera en \"caveats\"."
    ),
    "caveat_placed_by_nearest_tract": (
        "Escuelas fuera de todo polígono de sector, a las que se asignó el sector con el "
        "centro más cercano: {count} (distancia máxima {distance} m; vea la columna placement "
        "de schools.csv)."
    ),
    "caveat_not_placed": (
        "Escuelas no ubicadas en ningún sector censal (sin coordenadas en el directorio de "
        "escuelas), por lo tanto sin indicadores comunitarios: {count}."
    ),
    "caveat_fewer_indicators": (
        "Escuelas calificadas con menos indicadores de los que tiene el índice: {count} "
        "(escuelas a las que les falta cada uno: {indicators}; vea la columna "
        "missing_indicators de schools.csv)."
    ),
    "caveat_tracts_missing_from_community_file": (
        "Sectores censales de {tracts_file} que no figuran en {file}: {count} (escuelas "
        "ordenadas en ellos, sin indicadores comunitarios: {schools})."
    ),
    "caveat_health_placed_by_nearest_tract": (
        "Escuelas cuyos valores de salud comunitaria (CalEnviroScreen, SVI, Índice de Lugares "
        "Saludables, cuartil de equidad de vacunas) son los del sector censal más cercano, no "
        "los de un sector en el que se encuentran: {count} (distancia máxima {distance} m; vea "
        "la columna placement de health.csv)."
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


#: Tier labels as the index writes them -> their Spanish form.
TIER_LABELS_ES = {
    "Highest": "Más alta",
    "High": "Alta",
    "Moderate": "Moderada",
    "Low": "Baja",
    "Lowest": "Más baja",
}

def t(lang: str, key: str, **kwargs: object) -> str:
    """The message ``key`` in ``lang``, with ``{placeholders}`` filled."""
    table = MESSAGES.get(lang, MESSAGES["en"])
    text = table.get(key, MESSAGES["en"].get(key, key))
    return text.format(**kwargs) if kwargs else text


#: Need levels of a five- or three-tier index, highest need first, in each language: the same
#: words as the public dashboard (:func:`equitable.web.dashboard._present.level_name` and its
#: catalog), after the CDE California School Dashboard's plain level names.
NEED_LEVELS = {
    "en": {5: ("Highest need", "High need", "Moderate need", "Low need", "Lowest need"),
           3: ("Highest need", "Moderate need", "Lowest need")},
    "es": {5: ("Necesidad más alta", "Necesidad alta", "Necesidad moderada", "Necesidad baja",
               "Necesidad más baja"),
           3: ("Necesidad más alta", "Necesidad moderada", "Necesidad más baja")},
}
_NEED_GROUP = {"en": "Need group {k} of {n} (1 = highest need)",
               "es": "Grupo de necesidad {k} de {n} (1 = necesidad más alta)"}


def need_level(lang: str, labels: list[str], label: str) -> str:
    """A tier as a need level in words (``"1 Highest"`` of five tiers -> ``"Highest need"`` /
    ``"Necesidad más alta"``), never a bare tier number; an index with other than 3 or 5 tiers
    gets "Need group k of n (1 = highest need)". A label not among ``labels`` is returned as
    :func:`tier_label` gives it."""
    if label not in labels:
        return tier_label(lang, label)
    i, n = labels.index(label), len(labels)
    words = NEED_LEVELS.get(lang, NEED_LEVELS["en"]).get(n)
    if words:
        return words[i]
    return _NEED_GROUP.get(lang, _NEED_GROUP["en"]).format(k=i + 1, n=n)


def tier_label(lang: str, label: str, spanish: dict[str, str] | None = None) -> str:
    """A tier label (``"1 Highest"``) in ``lang`` (``"1 Más alta"``): the spec's own Spanish
    label (``spanish``, from ``tiers.labels_es``) or, failing that, word by word."""
    if lang != "es":
        return label
    if spanish and label in spanish:
        return spanish[label]
    num, _, word = label.partition(" ")
    return f"{num} {TIER_LABELS_ES.get(word, word)}".strip() if word else label


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
    return format_decimal(value, format=fmt, locale=LOCALES[lang])


def percent(lang: str, fraction: float, decimals: int = 1) -> str:
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(fraction, format=fmt, locale=LOCALES[lang])


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
MESSAGES["es"].update({
    "xl_summary": "Resumen",
    "xl_schools": "Escuelas",
    "xl_caveats": "Advertencias",
    "xl_budget_line": (
        "Presupuesto: {budget}. Los montos de las escuelas, en centavos enteros, suman "
        "exactamente el presupuesto (redondeo por el mayor resto)."
    ),
    "xl_tiers": "Niveles: puntuaciones de corte, escuelas, estudiantes y dólares",
    "xl_min_score": "Puntuación más baja del nivel (de corte)",
    "xl_max_score": "Puntuación más alta del nivel",
    "xl_rate": "Monto por alumno ($)",
    "xl_amount": "Asignación ($)",
    "xl_per_pupil": "Dólares por alumno ($)",
    "xl_share_students": "Proporción de estudiantes (%)",
    "xl_share_dollars": "Proporción de dólares (%)",
    "xl_students": "Estudiantes",
    "xl_schools_count": "Escuelas",
    "xl_check": "Suma de la hoja Escuelas ($)",
    "xl_prior_section": "Cambio respecto del año anterior ({column}), por nivel",
    "xl_gaining": "Escuelas que ganan",
    "xl_losing": "Escuelas que pierden",
    "xl_same": "Escuelas sin cambio",
    "xl_no_prior": "Escuelas sin monto anterior",
    "xl_prior": "Asignación del año anterior ($)",
    "xl_change": "Cambio respecto del año anterior ($)",
    "xl_change_pp": "Cambio por alumno ($)",
    "xl_weights": "Pesos: el índice tal como lo define su especificación",
    "xl_level": "Nivel del árbol",
    "xl_family": "Familia",
    "xl_code": "Código",
    "xl_name": "Nombre",
    "xl_weight_in_family": "Peso dentro de su familia",
    "xl_share_of_score": "Proporción del puntaje general",
    "xl_column": "Columna de origen",
    "xl_kind_overall": "puntaje general",
    "xl_kind_family": "familia",
    "xl_kind_indicator": "indicador",
    "xl_rules": "Reglas y parámetros",
    "xl_rule": "Regla o parámetro",
    "xl_value": "Valor",
    "xl_yes": "sí",
    "xl_no": "no",
    "xl_sources": "Fuentes de datos",
    "xl_input": "Entrada",
    "xl_year": "Año (según el nombre del archivo)",
    "xl_bytes": "Tamaño (bytes)",
    "xl_count": "Cantidad",
    "xl_caveat": "Advertencia",
    "xl_no_caveats": (
        "Sin advertencias: cada escuela se ubicó en un polígono de sector y se calificó con "
        "todos los indicadores."
    ),
    "xl_concerned": "Escuelas afectadas",
    "xl_distance": "Distancia al centro del sector (m)",
    "xl_missing": "Indicadores faltantes",
    "xl_span": "Grados",
    "xl_enrollment": "Matrícula (estudiantes)",
    "xl_score": "Puntuación de necesidad",
    "xl_percentile": "Puntuación de necesidad (percentil)",
    "xl_pctl_of": "{label} (percentil)",
    "xl_score_of": "{label} (puntuación)",
    "xl_geoid": "Sector censal (GEOID)",
    "xl_scenario_col": "{scenario}: {what}",
    "xl_r_config": "Archivo de configuración",
    "xl_r_name": "Nombre de la corrida",
    "xl_r_budget": "Presupuesto ($)",
    "xl_r_kind": "Regla de asignación",
    "xl_r_solve": "Montos calculados para que la suma sea igual al presupuesto",
    "xl_r_weight": "Peso por alumno, nivel {tier}",
    "xl_r_rate": "Monto por alumno, nivel {tier} ($)",
    "xl_r_solved_rate": "Monto por alumno calculado, nivel {tier} ($)",
    "xl_r_rounding": "Redondeo",
    "xl_r_rounding_text": "centavos enteros por el mayor resto; la suma es igual al presupuesto",
    "xl_r_tie_break": "Desempate de restos iguales",
    "xl_r_remainder_tie": "Empate en el mayor resto",
    "xl_r_id_column": "Columna del identificador de la escuela",
    "xl_r_enrollment_column": "Columna de la matrícula",
    "xl_r_tier_column": "Columna del nivel",
    "xl_r_index": "Índice",
    "xl_r_index_source": "Fuente del índice",
    "xl_r_normalise": "Normalización",
    "xl_r_aggregation": "Agregación",
    "xl_r_missing": "Valores faltantes",
    "xl_r_tiers": "Niveles",
    "xl_r_tiers_text": "{n} niveles ({method})",
    "xl_r_district": "Selección: código del distrito",
    "xl_r_affiliated": "Selección: se incluyen las escuelas chárter afiliadas",
    "xl_r_ranked": "Escuelas ordenadas",
    "xl_r_not_ranked": "Filas de la tabla de escuelas no ordenadas",
    "xl_r_placement": "Ubicación: {placement}",
    "xl_r_tier_warning": "Aviso sobre los niveles",
    "xl_r_prior": "Asignación del año anterior",
    "xl_r_prior_text": "columna {column} de {file}",
    "xl_r_republished": "Cifras publicadas de nuevo",
    "xl_r_republished_text": (
        "{columns}: Departamento de Educación de California, tal como se publicaron ({file}); "
        "sin cambios, sin derivar ningún conteo de estudiantes"
    ),
    "xl_r_version": "versión de equitable",
    "xl_r_label": "Etiqueta",
    "xl_r_source": "Archivo de origen",
    "xl_r_scenario": "Escenario",
    "kind_tier_rates": "montos por alumno según el nivel",
    "kind_proportional": "en proporción a la matrícula y la necesidad",
    "tie_id": "identificador de escuela ascendente",
    "tie_need": "primero la mayor necesidad",
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
})
MESSAGES["es"].update({
    "cmp_scenario": "Escenario",
    "cmp_source": "Archivo de origen",
    "cmp_kind": "Regla de asignación",
    "cmp_vs": "Comparado con",
    "cmp_total_dollars": "Asignación ($)",
    "cmp_dollars": "Asignación ($)",
    "cmp_students": "Estudiantes",
    "cmp_schools": "Escuelas",
    "cmp_enrollment": "Matrícula (estudiantes)",
    "cmp_dollars_per_pupil": "Dólares por alumno ($)",
    "cmp_progressivity_ratio": "Razón de progresividad (dólares por alumno, cuarto de mayor "
                               "necesidad / cuarto de menor necesidad)",
    "cmp_slope_per_point": "Dólares por alumno por punto de necesidad ($)",
    "cmp_concentration_index": "Índice de concentración (menor que 0: hacia la necesidad)",
    "cmp_highest_need_quartile_share_dollars": "Cuarto de mayor necesidad: proporción de "
                                               "dólares (%)",
    "cmp_highest_need_quartile_share_students": "Cuarto de mayor necesidad: proporción de "
                                                "estudiantes (%)",
    "cmp_schools_gaining": "Escuelas que ganan",
    "cmp_schools_losing": "Escuelas que pierden",
    "cmp_schools_same": "Escuelas sin cambio",
    "cmp_dollars_moved": "Dólares trasladados ($)",
    "cmp_largest_gain": "Mayor ganancia de una escuela ($)",
    "cmp_largest_loss": "Mayor pérdida de una escuela ($)",
    "cmp_tier": "Nivel",
    "cmp_group": "Grupo",
    "cmp_share_students": "Proporción de estudiantes (%)",
    "cmp_share_dollars": "Proporción de dólares (%)",
    "cmp_cds_code": "Código CDS",
    "cmp_school_name": "Escuela",
    "cmp_name": "Escuela",
    "cmp_s_dollars": "asignación ($)",
    "cmp_s_per_pupil": "dólares por alumno ($)",
    "cmp_s_share_dollars": "proporción de dólares (%)",
    "cmp_s_change_dollars": "cambio respecto de la base ($)",
    "cmp_s_change_per_pupil": "cambio por alumno respecto de la base ($)",
    "cmp_s_result": "gana, pierde o igual",
    "cmp_pct_frpm": "Con derecho a comida gratuita o a precio reducido, porcentaje (0-100)",
    "cmp_frpm_pct": "Con derecho a comida gratuita o a precio reducido, porcentaje (0-100)",
    "cmp_low_income_pct": "Bajos ingresos, porcentaje (0-100)",
    "cmp_pct_low_income": "Bajos ingresos, porcentaje (0-100)",
    "cmp_unduplicated_pupil_pct": "Alumnos no duplicados, porcentaje (0-100)",
    "cmp_total_ppe": "Gasto real por alumno ($)",
    "cmp_dollars_to_students_ratio": "Proporción de dólares sobre proporción de estudiantes",
    "cmp_cum_students_share": "Proporción acumulada de estudiantes, primero la mayor necesidad (%)",
    "cmp_cum_dollars_share": "Proporción acumulada de dólares (%)",
})

#: Every HTML page's frame (``report/templates/base.html.j2``), the scenario comparison
#: (``compare.html`` / ``compare.es.html``) and the survey report (``equitable survey report``).
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
MESSAGES["es"].update({
    "page_skip": "Saltar al contenido",
    "page_caveats": "Notas y advertencias",
    "page_sources": "Fuentes",
    "page_made_with": "Hecho con equitable {version}. Mismos datos, mismo resultado.",
    "cmp_title": "Escenarios de asignación comparados",
    "cmp_baseline_text": "Base: {baseline}. Escenarios: {scenarios}.",
    "cmp_summary": "Resumen",
    "cmp_measure": "Medida",
    "cmp_winners": "Escuelas que ganan y que pierden (frente a la base)",
    "cmp_by_tier": "Por nivel",
    "cmp_by_quartile": "Por cuarto de necesidad",
    "cmp_charts": "Gráficas",
    "cmp_spending_text": (
        "{scenario}: el gasto real por alumno ({column}) del cuarto de mayor necesidad menos el "
        "del cuarto de menor necesidad pasa de {before} a {after}: la brecha {size} y el gasto "
        "se vuelve {direction} (índice de concentración de {ci_before} a {ci_after})."
    ),
    "cmp_size_narrows": "se reduce",
    "cmp_size_widens": "se amplía",
    "cmp_size_unchanged": "no cambia",
    "cmp_direction_more_progressive": "más progresivo",
    "cmp_direction_less_progressive": "menos progresivo",
    "cmp_direction_unchanged": "igual de progresivo",
    "cmp_quartile_1": "C1 menor necesidad",
    "cmp_quartile_2": "C2",
    "cmp_quartile_3": "C3",
    "cmp_quartile_4": "C4 mayor necesidad",
    "cmp_fig_per_pupil": "Dólares por alumno por nivel",
    "cmp_axis_per_pupil": "dólares por alumno",
    "cmp_axis_tier": "nivel",
    "cmp_fig_curves": ("Curvas de concentración (estudiantes ordenados por {column}, primero la "
                       "mayor necesidad)"),
    "cmp_equal_line": "mismos dólares por alumno",
    "cmp_axis_cum_students": "proporción acumulada de estudiantes",
    "cmp_axis_cum_dollars": "proporción acumulada de dólares",
    "cmp_fig_change": "Cambio de dólares por alumno respecto de la base, según la necesidad",
    "cmp_axis_change": "cambio, dólares por alumno",
    "cmp_method": "Método",
    "cmp_method_per_pupil": ("Las cifras por alumno se ponderan por la matrícula (los dólares "
                             "de un grupo entre sus estudiantes)."),
    "cmp_method_quartiles": ("Cada cuarto de necesidad reúne más o menos la cuarta parte de los "
                             "estudiantes, según {column} (más alto = más necesidad)."),
    "cmp_method_ratio": ("Razón de progresividad: dólares por alumno del cuarto de mayor "
                         "necesidad entre los del de menor necesidad (The Education Trust, "
                         "Funding Gaps 2018)."),
    "cmp_method_slope": ("Pendiente: mínimos cuadrados ponderados por la matrícula de los "
                         "dólares por alumno sobre la columna de necesidad (Baker, Farrie & "
                         "Sciarra, Is School Funding Fair?, 2018)."),
    "cmp_method_ci": (
        "Índice de concentración C = 2 cov(y, r) / media(y) sobre los estudiantes ordenados de "
        "la mayor a la menor necesidad (O'Donnell et al., Analyzing Health Equity Using "
        "Household Survey Data, Banco Mundial 2008, caps. 7-8). C < 0: dólares concentrados en "
        "los estudiantes de mayor necesidad; C > 0: en los de menor necesidad."
    ),
    "cmp_method_privacy": "Se suprimen (*) los grupos de 10 estudiantes o menos.",
    "cmp_source_label": "Escenario {name}",
    "cmp_context_label": "Tabla de escuelas (necesidad y gasto)",
    "voice_title": "Encuesta de la voz de la comunidad",
    "voice_who": "Quién respondió y quién está inscrito",
    "voice_who_note": ("Porcentaje de las personas que respondieron, después de ponderar, y de "
                       "los estudiantes inscritos en cada grupo."),
    "voice_population": "Inscritos",
    "voice_respondents": "Respondieron",
    "voice_weighted": "Respondieron, ponderado",
    "voice_results": "Resultados por grupo",
    "voice_results_note": (
        "Porcentaje favorable (ponderado si hay pesos) con intervalos de confianza de 95% de "
        "Korn-Graubard. No se muestran los grupos de 10 personas o menos."
    ),
    "voice_pct_fav": "% favorable",
    "voice_questions": "Todas las preguntas",
    "voice_question": "Pregunta",
    "voice_unweighted": "Sin ponderar",
    "voice_weighted_col": "Ponderado",
    "voice_n": "Personas",
    "voice_themes": "Lo que escribieron: temas sugeridos",
    "voice_themes_note": (
        "Temas sugeridos por computadora (TF-IDF y NMF) para que personas los revisen; se "
        "quitaron nombres, teléfonos y correos de las citas."
    ),
    "voice_terms": "Palabras clave",
    "voice_answers": "Respuestas",
    "voice_quotes": "Citas de ejemplo",
    "voice_rates": "Tasas de respuesta",
    "voice_group": "Grupo",
    "voice_enrolled": "Inscritos",
    "voice_rate": "Tasa de respuesta",
    "voice_weighting_text": (
        "Las respuestas se ponderaron por rastrillado (raking) según la inscripción por {vars}. "
        "Efecto de diseño {deff}; tamaño de muestra efectivo {neff} de {n} personas; {trimmed} "
        "pesos recortados."
    ),
    "voice_not_weighted": "Los resultados no están ponderados.",
    "voice_suppressed": "No se muestran (10 personas o menos): {groups}",
    "voice_all": "Todas las personas",
    "voice_footer": ("Hecho con equitable {version}. Privacidad: se suprime (*) todo grupo de 10 "
                     "personas o menos."),
    "voice_bd_school": "Escuela",
    "voice_bd_language": "Idioma",
    "voice_bd_student_group": "Grupo estudiantil",
    "voice_bd_race_ethnicity": "Raza/etnia",
    "voice_bd_grade_span": "Nivel escolar",
    "voice_lang_en": "Inglés",
    "voice_lang_es": "Español",
})

#: ``equitable sites``: sites.html / sites.es.html (equitable.health._report).
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
MESSAGES["es"].update({
    "sites_title": "Sitios de clínicas e información",
    "sites_map": "Mapa de los sitios elegidos",
    "sites_site": "sitio elegido",
    "sites_existing": "sitio existente",
    "sites_reached": "escuela al alcance",
    "sites_desert": "escuela fuera de alcance",
    "sites_catchment": "área de servicio",
    "sites_vem": "cuartil VEM",
    "sites_coverage": "Estudiantes atendidos por cuartil de la Métrica de Equidad de Vacunas",
    "sites_comparison": "Los sitios elegidos frente a elecciones simples",
    "sites_group": "Grupo",
    "sites_by": "Por",
    "sites_schools": "Escuelas",
    "sites_students": "Estudiantes",
    "sites_served": "Estudiantes atendidos",
    "sites_served_pct": "Estudiantes atendidos (%)",
    "sites_unserved": "Escuelas no atendidas",
    "sites_choice": "Elección",
    "sites_sites": "Sitios",
    "sites_weighted": "Estudiantes atendidos ponderados por necesidad",
    "sites_q1": "Atendidos en el cuartil VEM 1 (%)",
    "sites_travel": "Recorrido medio ponderado por necesidad al sitio más cercano ({unit})",
    "sites_all": "todos",
    "sites_none": "ninguno",
    "sites_tier": "nivel",
    "sites_note": (
        "Cuartil VEM 1 = las condiciones comunitarias menos saludables (Índice de Lugares "
        "Saludables 2.0). Alcance: {reach}. Los grupos de 10 estudiantes o menos se muestran "
        "como *."
    ),
    "sites_table": "Sitios en el orden de su ganancia marginal",
    "sites_order": "Orden",
    "sites_id": "Identificador del sitio",
    "sites_name": "Nombre",
    "sites_gain": "Estudiantes ponderados añadidos",
    "sites_optimal": "óptima",
    "sites_optimal_free": "óptima sin la proporción mínima",
    "sites_largest": "las {k} escuelas más grandes",
    "sites_highest_need": "las {k} escuelas de mayor necesidad",
})

#: ``staffing.html`` / ``staffing.es.html`` (equitable.staffing._html).
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
MESSAGES["es"].update({
    "staff_title": "Personal y apoyos estudiantiles donde la necesidad es mayor",
    "staff_as_of": "Vacantes contadas el",
    "staff_year_start": "Tasa de cobertura contada desde",
    "staff_supports": "Vacantes y apoyos estudiantiles por nivel de necesidad",
    "staff_by_tier": "Por nivel de necesidad (mayor necesidad primero)",
    "staff_tier": "Nivel",
    "staff_schools": "Escuelas",
    "staff_vacancies": "Vacantes",
    "staff_teacher_vacancy_rate": "Tasa de vacantes docentes",
    "staff_median_days": "Mediana de días abierta",
    "staff_long_open": "Abiertas más de 60 días",
    "staff_fill_rate": "Cubiertas este año",
    "staff_per_counselor": "Estudiantes por consejero",
    "staff_per_social_worker": "Estudiantes por trabajador social",
    "staff_per_psychologist": "Estudiantes por psicólogo",
    "staff_per_nurse": "Estudiantes por enfermero",
    "staff_ratio_sources": (
        "Proporciones recomendadas: ASCA 250 estudiantes por consejero escolar; SSWAA 250 por "
        "trabajador social escolar; NASP 500 por psicólogo escolar; NASN un enfermero por 750 "
        "estudiantes en poblaciones generales."
    ),
    "staff_equity": "Brechas de equidad docente",
    "staff_equity_caption": "Porcentaje del FTE docente, cuartil más alto menos el más bajo",
    "staff_definitions": (
        "Docentes ineficaces, fuera de su área y sin experiencia según las definiciones de la "
        "Junta Estatal de Educación de California del 6 de noviembre de 2019; los docentes "
        "internos cuentan como eficaces. Cuartiles de escuelas por porcentaje de estudiantes con "
        "derecho a comidas gratuitas o a precio reducido (pobreza) y por porcentaje de "
        "estudiantes de minorías, dentro de cada nivel escolar."
    ),
    "staff_notes": "Notas",
    "staff_privacy": "* = una cifra sobre 10 o menos docentes o estudiantes, no se muestra.",
    "staff_all": "Todas las escuelas",
})
