"""Synthetic survey data and platform exports (for tests, examples and benchmarks).

The respondents are invented: attribute values are drawn from the instrument's scales (schools
from a list of CDS codes), answers from group-dependent probabilities (so breakdowns differ, as
real ones do), and open-ended answers from short English and Spanish templates, some of which
carry a made-up name, phone number or e-mail address for the scrubber to catch. Nothing here
describes a real person.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from equitable.errors import InputError
from equitable.voice._instrument import Attribute, Instrument, Item
from equitable.voice._readers import PLATFORMS, SurveyData

__all__ = ["synth_survey", "write_export"]

_TEXTS = {
    "en": [
        "More tutoring after school and smaller classes.",
        "Hire more counselors; my son Daniel needs someone to talk to.",
        "Send messages in Spanish and call me at (213) 555-0147.",
        "Free meals for every student and safe transportation.",
        "Laptops that work and internet at home.",
        "Ms. Johnson was great, we need more teachers like her.",
        "Mental health support for students who lost family.",
        "Write to me at parent.example@example.org about tutoring.",
    ],
    "es": [
        "Más tutoría después de la escuela y clases más pequeñas.",
        "Más consejeros; mi hija Camila necesita apoyo.",
        "Mandar mensajes en español, mi número es 323-555-0199.",
        "Comidas gratis para todos y transporte seguro.",
        "Computadoras que funcionen e internet en casa.",
        "La Sra. Hernández nos ayudó mucho con las tareas.",
        "Apoyo de salud mental para los estudiantes que perdieron familia.",
        "Escríbanme a familia.ejemplo@example.org sobre la tutoría.",
    ],
}
DEFAULT_SCHOOLS = ("19647330100289", "19647330102434", "19647331931047", "19647336015954")


def synth_survey(
    instrument: Instrument,
    n: int,
    *,
    seed: int = 0,
    schools: tuple[str, ...] = DEFAULT_SCHOOLS,
    languages: tuple[str, ...] = ("en", "es"),
    language_p: tuple[float, ...] = (0.6, 0.4),
    item_nonresponse: float = 0.05,
    id_prefix: str = "R_",
) -> SurveyData:
    """Draw ``n`` invented respondents and their answers (a :class:`SurveyData`).

    Favorable answers are more likely for some groups than others (a shift by school, language
    and the first category of each attribute), so that weighted and unweighted results differ.
    """
    rng = np.random.default_rng(seed)
    rid = np.array([f"{id_prefix}{k:07d}" for k in range(1, n + 1)], dtype=object)
    lang = rng.choice(np.array(languages, dtype=object), size=n, p=np.array(language_p))
    resp = {"respondent_id": rid, "language": lang, "platform": "synthetic",
            "source_row": np.arange(2, n + 2)}
    shift = np.where(lang == languages[0], 0.3, -0.3)
    for a in instrument.attributes:
        if a.scale is None:
            sch = np.array(schools, dtype=object)
            pick = rng.integers(0, len(sch), size=n)
            resp[a.id] = sch[pick]
            shift = shift + (pick - (len(sch) - 1) / 2) * 0.15
        else:
            opts = np.array(instrument.scales[a.scale].options, dtype=object)
            probs = np.linspace(2.0, 1.0, len(opts))
            probs /= probs.sum()
            pick = rng.choice(len(opts), size=n, p=probs)
            resp[a.id] = opts[pick]
            shift = shift + np.where(pick == 0, -0.4, 0.2)
    respondents = pd.DataFrame(resp)
    rows_r, rows_i, rows_v = [], [], []
    for k, it in enumerate(instrument.items):
        answered = rng.random(n) >= item_nonresponse
        idx = np.flatnonzero(answered)
        if it.type == "single":
            sc = instrument.scale_of(it)
            m = len(sc.options)
            # ordinal latent: favorable codes are the upper part of the scale
            latent = rng.normal(0.4 + shift[idx] + 0.1 * (k % 3), 1.0)
            cuts = np.linspace(-1.2, 1.2, m - 1) if m > 1 else np.array([])
            pos = np.searchsorted(cuts, latent)
            order = [o for o in sc.options if o not in sc.favorable] + list(sc.favorable)
            vals = np.array(order, dtype=object)[np.clip(pos, 0, m - 1)]
        elif it.type == "multiple":
            choices = instrument.scale_of(it).options
            chosen = rng.random((len(idx), len(choices))) < 0.35
            r_rep, o_rep = np.nonzero(chosen)
            rows_r.append(rid[idx][r_rep])
            rows_i.append(np.full(len(r_rep), it.id, dtype=object))
            rows_v.append(np.array(choices, dtype=object)[o_rep])
            continue
        else:
            texts = {lg: np.array(_TEXTS.get(lg, _TEXTS["en"]), dtype=object)
                     for lg in languages}
            pick = rng.integers(0, len(_TEXTS["en"]), size=len(idx))
            vals = np.array([texts[lg][p] for lg, p in zip(lang[idx], pick)], dtype=object)
        rows_r.append(rid[idx])
        rows_i.append(np.full(len(idx), it.id, dtype=object))
        rows_v.append(vals)
    responses = pd.DataFrame({
        "respondent_id": np.concatenate(rows_r) if rows_r else [],
        "item": np.concatenate(rows_i) if rows_i else [],
        "response": np.concatenate(rows_v) if rows_v else [],
    })
    return SurveyData(responses, respondents, instrument.id, ["synthetic"])


def _cells(inst: Instrument, data: SurveyData, lang_of: np.ndarray, coded: bool):
    """respondent -> target -> list of answer codes/texts."""
    got: dict[str, dict[str, list[str]]] = {}
    for r, i, v in data.responses[["respondent_id", "item", "response"]].itertuples(index=False):
        got.setdefault(r, {}).setdefault(i, []).append(v)
    return got


def write_export(
    data: SurveyData,
    instrument: Instrument,
    platform: str,
    path: str | Path,
    *,
    language: str | None = None,
) -> Path:
    """Write ``data`` as a platform export (the layouts :func:`read_export` reads).

    ``language`` restricts the export to the respondents of one language (as a Google Form or a
    SurveyMonkey collector per language would); Qualtrics and Kobo hold every language.
    Answer wording follows each respondent's language (Kobo exports codes).
    """
    if platform not in PLATFORMS:
        raise InputError(f"The 'platform' parameter of write_export must be one of "
                         f"{', '.join(PLATFORMS)}. Got '{platform}' instead.")
    resp = data.respondents
    if language is not None:
        resp = resp[resp["language"] == language]
    got = _cells(instrument, data, resp["language"].to_numpy(), platform == "kobo")
    inst = instrument
    targets: list[Attribute | Item] = [*inst.attributes, *inst.items]

    def label(scale: str | None, code: str, lg: str) -> str:
        return inst.label(scale, code, lg) if scale else code

    def text_of(spec: Attribute | Item, lg: str) -> str:
        return spec.text.get(lg) or spec.text.get("en") or spec.id

    buf = io.StringIO()
    sep = ";" if platform == "kobo" else ","
    w = csv.writer(buf, delimiter=sep, lineterminator="\n")
    qlang = language or "en"
    if platform == "qualtrics":
        meta = ["StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished",
                "RecordedDate", "ResponseId", "DistributionChannel", "UserLanguage"]
        w.writerow(meta + [t.id.upper() for t in targets])
        w.writerow(["Start Date", "End Date", "Response Type", "Progress",
                    "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
                    "Distribution Channel", "User Language"] + [text_of(t, qlang) for t in targets])
        w.writerow(['{"ImportId":"startDate","timeZone":"America/Los_Angeles"}',
                    '{"ImportId":"endDate","timeZone":"America/Los_Angeles"}',
                    '{"ImportId":"status"}', '{"ImportId":"progress"}', '{"ImportId":"duration"}',
                    '{"ImportId":"finished"}',
                    '{"ImportId":"recordedDate","timeZone":"America/Los_Angeles"}',
                    '{"ImportId":"_recordId"}', '{"ImportId":"distributionChannel"}',
                    '{"ImportId":"userLanguage"}']
                   + [f'{{"ImportId":"QID{k + 1}"}}' for k in range(len(targets))])
    elif platform == "google":
        w.writerow(["Timestamp"] + [text_of(t, qlang) for t in targets])
    elif platform == "surveymonkey":
        row1 = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address",
                "Email Address", "First Name", "Last Name", "Custom Data 1"]
        row2 = [""] * len(row1)
        for t in targets:
            if isinstance(t, Item) and t.type == "multiple":
                opts = inst.scale_of(t).options
                row1 += [text_of(t, qlang)] + [""] * (len(opts) - 1)
                row2 += [label(t.scale, o, qlang) for o in opts]
            else:
                row1.append(text_of(t, qlang))
                row2.append("Open-Ended Response" if (isinstance(t, Item) and t.type == "text")
                            or t.scale is None else "Response")
        w.writerow(row1)
        w.writerow(row2)
    else:
        head = ["start", "end"]
        for t in targets:
            grp = "group_about" if t in inst.attributes else "group_voice"
            head.append(f"{grp}/{t.id}")
            if isinstance(t, Item) and t.type == "multiple":
                head += [f"{grp}/{t.id}/{o}" for o in inst.scale_of(t).options]
        head += ["_id", "_uuid", "_submission_time", "_validation_status", "_index"]
        w.writerow(head)
    for k, row in enumerate(resp.itertuples(index=False)):
        rid, lg = row.respondent_id, row.language
        lg_label = lg if platform != "google" and platform != "surveymonkey" else (language or lg)
        answers = got.get(rid, {})
        stamp_m = 8 * 60 + k % 600
        date = f"2026-03-02 {stamp_m // 60:02d}:{stamp_m % 60:02d}:00"
        cells: list[str] = []
        for t in targets:
            is_attr = isinstance(t, Attribute)  # == t in inst.attributes: ids are unique
            vals = [getattr(row, t.id)] if is_attr else answers.get(t.id, [])
            vals = [v for v in vals if v != ""]
            kind = t.type if isinstance(t, Item) else "attribute"
            if platform == "kobo":
                if kind == "multiple":
                    cells.append(" ".join(vals))
                    cells += ["1" if o in vals else "0" if vals else ""
                              for o in inst.scale_of(t).options]
                else:
                    cells.append(vals[0] if vals else "")
                continue
            if kind == "multiple":
                labs = [label(t.scale, v, lg_label) for v in vals]
                if platform == "surveymonkey":
                    cells += [label(t.scale, o, lg_label) if o in vals else ""
                              for o in inst.scale_of(t).options]
                else:
                    cells.append(", ".join(labs) if platform == "google" else ",".join(labs))
            else:
                cells.append(label(t.scale, vals[0], lg_label) if vals and t.scale else
                             (vals[0] if vals else ""))
        if platform == "qualtrics":
            w.writerow([date, date, "IP Address", "100", "300", "True", date, rid, "anonymous",
                        lg.upper()] + cells)
        elif platform == "google":
            w.writerow([date.replace("-", "/")] + cells)
        elif platform == "surveymonkey":
            w.writerow([str(110000000000 + k), "400000001", date, date, "", "", "", "", ""]
                       + cells)
        else:
            w.writerow([date, date, *cells, str(1000 + k), rid, date, "", str(k + 1)])
    p = Path(path)
    p.write_text(buf.getvalue(), encoding="utf-8")
    return p
