"""Every string the reports show, in English and Spanish (the one place to edit translations).

Keys are short English identifiers; ``{name}`` placeholders are filled with ``str.format``.
Numbers, money and percents are formatted with Babel for each language's locale
(``en_US`` and ``es_US``: the Spanish of the United States, as LAUSD's Spanish notices use).
"""

from __future__ import annotations

from babel.numbers import format_currency, format_decimal, format_percent

LOCALES = {"en": "en_US", "es": "es_US"}

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
            "de la hoja Schools de allocation.xlsx."
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
    """``$700,000,000`` (en) / ``US$700,000,000`` style (es_US shows ``$``)."""
    fmt = "¤#,##0" + ("." + "0" * decimals if decimals else "")
    return format_currency(dollars, "USD", format=fmt, locale=LOCALES[lang], currency_digits=False)


def number(lang: str, value: float, decimals: int = 0) -> str:
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=fmt, locale=LOCALES[lang])


def percent(lang: str, fraction: float, decimals: int = 1) -> str:
    fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(fraction, format=fmt, locale=LOCALES[lang])
