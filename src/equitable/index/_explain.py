"""The method of an index spec in plain words (for ``--explain`` and a report's methods section).

All the wording lives in :data:`PHRASES` (English, by key) and one function, :func:`explain`,
assembles it; the other languages are the translations of these phrases in the one message
catalogue per language (:mod:`equitable.i18n`, msgctxt ``explain_<key>``), so a translation
adds catalogue entries and nothing else.
"""

from __future__ import annotations

import math
from typing import Any

from equitable.i18n import translate_in
from equitable.index._spec import IndexSpec, Indicator, Normalise

__all__ = ["PHRASES", "explain"]

PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "title": "{title}",
        "source": "Published method: {source}.",
        "units": "Each row of the input is one unit, identified by the column '{id}'.",
        "missing_codes": "The values {codes} mean 'missing'.",
        "missing_text": "Cells reading {texts} mean 'missing'; so do empty cells.",
        "ind_head": "Indicators. The index combines {n} indicators. {common}",
        "ind_common": "Unless noted below, each is {norm}{decimals}{missing}{flag}.",
        "ind_line": "- {label} ({code}): {source}{notes}.",
        "from_column": "column '{column}'",
        "from_expression": "computed as {expression}",
        "ranked_by": ", ranked by column '{column}'",
        "lower": "; a lower value means more need, so it is ranked in reverse",
        "lower_complement": "; a lower value means more need, so its score is one minus the "
                            "percentile of the value (tied values share it)",
        "weight": "; weight {w}",
        "pct_svi": "turned into a percentile rank, (rank - 1) / (N - 1), among the {ref} with a value, "
                   "tied values taking the {ties} rank",
        "pct_ces": "turned into a percentile, rank / N x 100, among the {ref} whose value is not zero "
                   "(a zero gets 0), tied values taking the {ties} rank",
        "zscore": "turned into a z-score (value minus the mean, divided by the standard deviation of "
                  "the {ref}){cap}",
        "zcap": ", capped at +-{cap}",
        "minmax": "rescaled to 0-1 between the smallest and largest value of the {ref}",
        "identity": "used as given",
        "ties_min": "lowest", "ties_max": "highest", "ties_average": "average",
        "decimals": ", rounded to {d} decimals",
        "scale": " (x {scale})",
        "range": ", then mapped to {lo}-{hi}",
        "transform_log": "; its natural logarithm is used",
        "transform_log1p": "; log(1 + value) is used",
        "winsorise": "; values beyond the {lo} and {hi} quantiles are pulled in to them",
        "miss_exclude": "; a unit missing it gets no score for the groups above it",
        "miss_reweight": "; when it is missing, the other indicators of its group share its weight",
        "miss_impute_mean": "; when it is missing, the average normalised value is used and the unit is noted",
        "miss_impute_median": "; when it is missing, the median normalised value is used and the unit is noted",
        "miss_impute_zero": "; when it is missing, 0 is used and the unit is noted",
        "flag": "; it is flagged when that value is {op} {threshold}",
        "ref_all": "units in the input",
        "ref_pop": "units of the reference population",
        "groups_head": "Groups. Scores are built from the indicators up:",
        "node": "- {label} ({code}) is the {agg} of {members}{weights}{decimals}{minp}.",
        "agg_sum": "sum", "agg_mean": "average", "agg_geometric_mean": "geometric mean",
        "agg_product": "product",
        "weights": ", weighted {weights}",
        "weights_above": ", with the weights listed above",
        "node_pct_same": " It is ranked the same way.",
        "node_pass": " Its parent uses this rank, not the score.",
        "minp": "; a unit needs at least {k} of its {n} indicators to be scored",
        "rescale": " It is then scaled so that the largest value is {to} (value / maximum x {to}).",
        "node_pct": " It is then ranked as {how}.",
        "flags_count": " Its flag count is the number of flags among its members.",
        "overall": "The overall index",
        "rank": "Units are ranked from 1 (highest need) down; tied units share a rank.",
        "tiers_q": "Units are split into {n} tiers by count ({labels}): the k-th {nth} of the ranking, "
                   "highest need first, is tier k.",
        "tiers_c": "Units are put into {n} tiers ({labels}) by their {basis} with cut points {cuts}; "
                   "the highest values form the first tier.",
        "missing_out": "The column '{col}' lists, for each unit, the indicators it lacked and how each "
                       "was handled.",
        "output_missing": "Values that cannot be computed are written as {code}.",
        "and": "and",
        "turned_into": "turned into ",
        "nth_2": "half", "nth_3": "third", "nth_4": "quarter", "nth_5": "fifth", "nth_10": "tenth",
        "nth_other": "1/{n}",
    },
}


def phrases(lang: str) -> dict[str, str]:
    """:data:`PHRASES` in ``lang``: each English phrase translated by the language's catalogue
    (context ``explain_<key>``); English where it has none."""
    return {key: translate_in(lang, f"explain_{key}", text) for key, text in PHRASES["en"].items()}


def _join(items: list[str], and_: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {and_} " + items[-1]


def _fmt(x: float) -> str:
    return f"{x:g}"


def explain(spec: IndexSpec, *, lang: str = "en", reference: bool = False) -> str:
    """Describe ``spec``'s method in plain words, one paragraph per step.

    Parameters
    ----------
    spec : a validated spec.
    lang : language to write in (``"en"``, ``"es"``: any language with a catalogue).
    reference : say "units of the reference population" instead of "units in the input".

    Returns
    -------
    str : several lines of prose ending in a newline.
    """
    P = phrases(lang)
    ref = P["ref_pop"] if reference else P["ref_all"]
    lines: list[str] = []
    es = lang == "es"

    def lab(obj: Any) -> str | None:
        return (getattr(obj, "label_es", None) if es else None) or obj.label

    lines.append(P["title"].format(title=(spec.title_es if es else None) or spec.title
                                   or spec.name))
    lines.append("")
    source = (spec.source_es if es else None) or spec.source
    if source:
        lines.append(P["source"].format(source=source.rstrip(".")))
    lines.append(P["units"].format(id=spec.id_column))
    if spec.missing_codes:
        lines.append(P["missing_codes"].format(codes=_join([_fmt(c) for c in spec.missing_codes], P["and"])))
    if spec.missing_text:
        lines.append(P["missing_text"].format(texts=_join([f"'{t}'" for t in spec.missing_text], P["and"])))
    lines.append("")

    def norm_words(nm: Normalise) -> str:
        if nm.method == "percentile":
            key = "pct_svi" if nm.form == "svi" else "pct_ces"
            s = P[key].format(ref=ref, ties=P[f"ties_{nm.ties}"])
        elif nm.method == "zscore":
            s = P["zscore"].format(ref=ref, cap=P["zcap"].format(cap=_fmt(nm.cap)) if nm.cap else "")
        elif nm.method == "minmax":
            s = P["minmax"].format(ref=ref)
            if nm.range is not None:
                s += P["range"].format(lo=_fmt(nm.range[0]), hi=_fmt(nm.range[1]))
        elif nm.method == "identity":
            s = P["identity"]
        else:  # a method registered later: the part's own words (equitable.index._parts)
            from equitable.index._parts import make_normaliser

            s = make_normaliser(nm).describe()
        default_scale = 100.0 if (nm.method == "percentile" and nm.form == "ces") else 1.0
        if nm.effective_scale != default_scale:
            s += P["scale"].format(scale=_fmt(nm.effective_scale))
        return s

    # the settings most indicators share are said once; each line says only what differs
    def key(ind: Indicator) -> tuple:
        nm = spec.normalise_of(ind)
        fl = spec.flag_of(ind)
        return (nm.model_dump_json(), spec.missing_of(ind), fl.model_dump_json() if fl else "")

    counts: dict[tuple, int] = {}
    for ind in spec.indicators:
        counts[key(ind)] = counts.get(key(ind), 0) + 1
    common_key = max(counts, key=lambda k: counts[k])
    first = next(i for i in spec.indicators if key(i) == common_key)

    def setting_words(ind: Indicator) -> str:
        nm = spec.normalise_of(ind)
        fl = spec.flag_of(ind)
        return (norm_words(nm)
                + (P["decimals"].format(d=nm.decimals) if nm.decimals is not None else "")
                + P[f"miss_{spec.missing_of(ind)}"]
                + (P["flag"].format(op=fl.op, threshold=_fmt(fl.threshold)) if fl else ""))

    common = P["ind_common"].format(norm=setting_words(first), decimals="", missing="", flag="")
    lines.append(P["ind_head"].format(n=len(spec.indicators), common=common))
    weights_vary = len({i.weight for i in spec.indicators}) > 1
    for ind in spec.indicators:
        src = (P["from_column"].format(column=ind.column) if ind.column
               else P["from_expression"].format(expression=ind.expression))
        notes = ""
        if ind.rank_by:
            notes += P["ranked_by"].format(column=ind.rank_by)
        if ind.direction == "lower_is_more_need":
            complement = (spec.normalise_of(ind).method == "percentile"
                          and spec.normalise_of(ind).inverse == "complement")
            notes += P["lower_complement" if complement else "lower"]
        if ind.transform != "none":
            notes += P[f"transform_{ind.transform}"]
        if ind.winsorise:
            notes += P["winsorise"].format(lo=_fmt(ind.winsorise[0]), hi=_fmt(ind.winsorise[1]))
        if weights_vary:
            notes += P["weight"].format(w=_fmt(ind.weight))
        if key(ind) != common_key:
            notes += "; " + setting_words(ind)
        lines.append(P["ind_line"].format(label=lab(ind) or ind.code, code=ind.code, source=src,
                                          notes=notes))
    lines.append("")

    def label_of(code: str) -> str:
        if spec.is_indicator(code):
            return lab(spec.indicator(code)) or code
        nd = spec.node(code)
        return lab(nd) or code

    lines.append(P["groups_head"])
    for node in spec.build_order():
        members = spec.members_of(node)
        ws = spec.member_weights(node)
        if len(set(ws)) <= 1:
            wtxt = ""
        elif node.weights is None and all(spec.is_indicator(m) for m in members):
            wtxt = P["weights_above"]
        else:
            wtxt = P["weights"].format(weights=_join(
                [f"{label_of(m)} {_fmt(w)}" for m, w in zip(members, ws)], P["and"]))
        is_overall = node is spec.overall
        s = P["node"].format(
            label=(lab(node) or (P["overall"] if is_overall else node.code)),
            code=node.code, agg=P[f"agg_{node.aggregation}"],
            members=_join([label_of(m) for m in members], P["and"]),
            weights=wtxt,
            decimals=P["decimals"].format(d=node.decimals) if node.decimals is not None else "",
            minp=(P["minp"].format(k=node.min_present, n=len(spec.leaves_of(node))) if node.min_present
                  else P["minp"].format(k=math.ceil(node.min_present_share * len(spec.leaves_of(node)) - 1e-9),
                                        n=len(spec.leaves_of(node)))
                  if node.min_present_share else ""),
        )
        if node.rescale is not None:
            s += P["rescale"].format(to=_fmt(node.rescale.to))
        if node.percentile is not None:
            nm = node.percentile
            if nm == spec.normalise_of(first):
                s += P["node_pct_same"]
            else:
                how = norm_words(nm)
                if nm.decimals is not None:
                    how += P["decimals"].format(d=nm.decimals)
                s += P["node_pct"].format(how=how.replace(P["turned_into"], "", 1))
            if node.pass_percentile:
                s += P["node_pass"]
        if node.flag_count_column:
            s += P["flags_count"]
        lines.append(s)
    lines.append("")
    ov = spec.overall
    if ov.rank_column or ov.tiers:
        lines.append(P["rank"])
    if ov.tiers is not None:
        t = ov.tiers
        tier_names = t.labels_es if (es and t.labels_es) else t.tier_labels
        labels = _join([f"'{x}'" for x in tier_names], P["and"])
        if t.method == "quantile":
            nth = P.get(f"nth_{t.n}", P["nth_other"].format(n=t.n))
            lines.append(P["tiers_q"].format(n=t.n, labels=labels, nth=nth))
        else:
            lines.append(P["tiers_c"].format(n=t.n, labels=labels, basis=t.basis,
                                             cuts=", ".join(_fmt(c) for c in t.cut_points)))
    lines.append(P["missing_out"].format(col=spec.missing_column))
    if spec.output_missing is not None:
        lines.append(P["output_missing"].format(code=_fmt(spec.output_missing)))
    return "\n".join(lines).rstrip() + "\n"
