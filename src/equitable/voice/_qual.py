"""Open-ended answers and focus-group notes: codebook, coded excerpts, agreement, themes.

* **Codebook** (TOML)::

      [codebook]
      id = "recovery-themes"
      [[codes]]
      id = "tutoring"
      name = { en = "Tutoring", es = "Tutoría" }
      description = { en = "Asks for tutoring or small-group help" }
      parent = ""            # optional: id of the parent code
      color = "#1b9e77"      # optional

* **Coded excerpts** (CSV): ``excerpt_id, document, start, end, code, coder, text``; ``start``
  and ``end`` are character offsets (0-based, end exclusive) in the document; ``text`` is the
  excerpt. Texts are scrubbed (names, phone numbers, e-mail addresses) on import and export.
* **REFI-QDA** project exchange (``.qdpx``): a zip with ``project.qde`` (XML, namespace
  ``urn:QDA-XML:project:1.0``, REFI-QDA Project standard 1.0, https://www.qdasoftware.org) and
  the plain-text sources under ``sources/``; read by Taguette, QualCoder, ATLAS.ti, MAXQDA and
  NVivo. Coded text is ``TextSource/PlainTextSelection`` with ``startPosition``/``endPosition``
  (character offsets) and ``Coding/CodeRef``.
* **Agreement**: Cohen's kappa (Cohen 1960, Educ. Psychol. Meas. 20:37-46; scikit-learn's
  ``cohen_kappa_score``) per code and coder pair, and Krippendorff's alpha (Krippendorff 2011,
  "Computing Krippendorff's Alpha-Reliability", Annenberg School for Communication, section A;
  the ``krippendorff`` package) per code over all coders, on the presence (1/0) of each code in
  each unit (document, or document + excerpt span).
* **Theme suggestions**: TF-IDF (``TfidfVectorizer``) and non-negative matrix factorization
  (``NMF``, Lee & Seung 1999, Nature 401:788-791) from scikit-learn, run offline, with the
  English and Spanish stop-word lists shipped in ``equitable/voice/stopwords``.
"""

from __future__ import annotations

import uuid
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Mapping, Sequence
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from equitable.errors import InputError, SpecError, location
from equitable.specfile import load_model
from equitable.voice._readers import read_csv_strings
from equitable.voice._scrub import apply_spans, remap_offset, scrub_spans, scrub_text

__all__ = [
    "Codebook",
    "agreement",
    "export_qdpx",
    "import_qdpx",
    "load_codebook",
    "read_excerpts",
    "stop_words",
    "suggest_themes",
    "write_excerpts",
]

_NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.UUID("6f1c1a52-8a7e-4c55-9d0e-3c0c6d0f7a11")
EXCERPT_COLUMNS = ["excerpt_id", "document", "start", "end", "code", "coder", "text"]


class _M(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Code(_M):
    id: str = Field(min_length=1)
    name: dict[str, str] = Field(default_factory=dict)
    description: dict[str, str] = Field(default_factory=dict)
    parent: str = ""
    color: str = ""


class _CBHeader(_M):
    id: str = Field(min_length=1)
    title: dict[str, str] = Field(default_factory=dict)


class Codebook(_M):
    """A validated codebook: ``codes`` in order, each with a name per language."""

    codebook: _CBHeader
    codes: list[Code] = Field(min_length=1)

    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def name(self, code: str, lang: str = "en") -> str:
        for c in self.codes:
            if c.id == code:
                return c.name.get(lang) or c.name.get("en") or c.id
        return code


def load_codebook(path: str | Path) -> Codebook:
    """Read a codebook TOML file.

    Raises
    ------
    SpecError
        Invalid TOML or schema, repeated code ids, or a parent that is not a code.
    """
    p = Path(path)
    cb = load_model(p, Codebook, what="codebook file")
    ids = cb.ids()
    for k, c in enumerate(cb.codes):
        if c.id in ids[:k]:
            raise SpecError(f"{p}: key 'codes.{k}.id': code '{c.id}' is repeated")
        if c.parent and c.parent not in ids:
            raise SpecError(f"{p}: key 'codes.{k}.parent': '{c.parent}' is not a code")
    return cb


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(parts))).upper()


# ----------------------------------------------------------------------------------------------
# CSV


def read_excerpts(path: str | Path, codebook: Codebook | None = None,
                  names: Sequence[str] = ()) -> pd.DataFrame:
    """Read coded excerpts from CSV (columns as in the module docstring; ``start``/``end``
    optional), scrubbing each excerpt's text.

    Raises
    ------
    InputError
        A missing column, a non-integer offset, ``end < start``, an empty coder, or a code that
        is not in the codebook, naming the file, row and column.
    """
    p = Path(path)
    df = read_csv_strings(p)
    for c in ("document", "code", "coder"):
        if c not in df.columns:
            raise InputError(f"{location(p, 1, c)}: missing column (coded excerpts need "
                             "document, code, coder and text or start/end)")
    for c in EXCERPT_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    known = set(codebook.ids()) if codebook is not None else None
    starts, ends = [], []
    for i, row in enumerate(df.itertuples(index=False)):
        line = i + 2
        if not row.coder.strip():
            raise InputError(f"{location(p, line, 'coder')}: empty coder")
        if known is not None and row.code not in known:
            assert codebook is not None, "known holds the codebook's ids"
            raise InputError(f"{location(p, line, 'code')}: '{row.code}' is not a code of "
                             f"codebook '{codebook.codebook.id}'")
        try:
            s = int(row.start) if row.start.strip() else -1
            e = int(row.end) if row.end.strip() else -1
        except ValueError:
            col = "start" if not row.start.strip().lstrip("-").isdigit() else "end"
            raise InputError(f"{location(p, line, col)}: '{getattr(row, col)}' is not a "
                             "character offset") from None
        if e < s:
            raise InputError(f"{location(p, line, 'end')}: end {e} is before start {s}")
        starts.append(s)
        ends.append(e)
    df["start"], df["end"] = starts, ends
    df["text"] = [scrub_text(t, names) for t in df["text"]]
    if (df["excerpt_id"] == "").any():
        df["excerpt_id"] = [x or f"x{i + 1}" for i, x in enumerate(df["excerpt_id"])]
    return df[EXCERPT_COLUMNS].reset_index(drop=True)


def write_excerpts(excerpts: pd.DataFrame, path: str | Path) -> Path:
    """Write coded excerpts as CSV (sorted, texts scrubbed) and return the path."""
    df = excerpts.copy()
    for c in EXCERPT_COLUMNS:
        if c not in df.columns:
            df[c] = ""
    df["text"] = [scrub_text(str(t)) for t in df["text"]]
    df = df[EXCERPT_COLUMNS].sort_values(["document", "start", "end", "code", "coder"],
                                         kind="stable")
    p = Path(path)
    df.to_csv(p, index=False, lineterminator="\n")
    return p


# ----------------------------------------------------------------------------------------------
# REFI-QDA


def export_qdpx(
    path: str | Path,
    codebook: Codebook,
    documents: Mapping[str, str],
    excerpts: pd.DataFrame,
    *,
    project_name: str = "equitable survey",
    names: Sequence[str] = (),
    lang: str = "en",
) -> Path:
    """Write a REFI-QDA project (``.qdpx``) with the codebook, the documents and the codings.

    Documents are scrubbed before they are stored; excerpt offsets are moved to the scrubbed
    text. GUIDs are derived from names (uuid5), and the zip has fixed timestamps, so the same
    input gives the same bytes.

    Parameters
    ----------
    documents : document name -> full text (a focus-group transcript, or one open-ended answer).
    excerpts : coded excerpts (``document, start, end, code, coder``; offsets in the original
        text; ``start = -1`` codes the whole document).

    Raises
    ------
    InputError
        An excerpt names a document that is not given, or its offsets fall outside it.
    """
    ET.register_namespace("", _NS)
    q = lambda t: f"{{{_NS}}}{t}"
    root = ET.Element(q("Project"), {
        "name": project_name, "origin": "equitable", "xmlns:xsi":
        "http://www.w3.org/2001/XMLSchema-instance",
    })
    coders = sorted(set(excerpts["coder"].astype(str))) if len(excerpts) else []
    users = ET.SubElement(root, q("Users"))
    for c in coders:
        ET.SubElement(users, q("User"), {"guid": _guid("user", c), "name": c})
    cb = ET.SubElement(ET.SubElement(root, q("CodeBook")), q("Codes"))
    elems: dict[str, ET.Element] = {}
    pending = list(codebook.codes)
    while pending:
        rest = []
        for c in pending:
            parent = cb if not c.parent else elems.get(c.parent)
            if parent is None:
                rest.append(c)
                continue
            attrs = {"guid": _guid("code", c.id), "name": c.name.get(lang) or c.id,
                     "isCodable": "true"}
            if c.color:
                attrs["color"] = c.color
            code_el = ET.SubElement(parent, q("Code"), attrs)
            desc = c.description.get(lang) or ""
            if desc:
                ET.SubElement(code_el, q("Description")).text = desc
            elems[c.id] = code_el
        if len(rest) == len(pending):
            raise SpecError("codebook parents form a cycle")
        pending = rest
    sources = ET.SubElement(root, q("Sources"))
    files: dict[str, str] = {}
    ex = excerpts.copy()
    for doc in sorted(set(ex["document"].astype(str)) - set(documents)):
        raise InputError(f"excerpts name document '{doc}' which is not among the documents")
    for name in sorted(documents):
        text = documents[name]
        spans = scrub_spans(text, names)
        clean = apply_spans(text, spans)
        sguid = _guid("source", name)
        fname = f"{sguid}.txt"
        files[f"sources/{fname}"] = clean
        src = ET.SubElement(sources, q("TextSource"), {
            "guid": sguid, "name": name, "plainTextPath": f"internal://{fname}"})
        sel = ex[ex["document"].astype(str) == name]
        groups = sel.groupby([sel["start"].astype(int), sel["end"].astype(int)], sort=True)
        for (s, e), g in groups:
            if s < 0:
                s, e = 0, len(text)
            if e > len(text):
                raise InputError(f"an excerpt of document '{name}' ends at {e}, past the "
                                 f"document's {len(text)} characters")
            ns, ne = remap_offset(s, spans), remap_offset(e, spans, end=True)
            first = str(g["coder"].iloc[0])
            ps = ET.SubElement(src, q("PlainTextSelection"), {
                "guid": _guid("sel", name, str(s), str(e)), "name": clean[ns:ne][:60],
                "startPosition": str(ns), "endPosition": str(ne),
                "creatingUser": _guid("user", first)})
            for code, coder in sorted(set(zip(g["code"].astype(str), g["coder"].astype(str)))):
                cd = ET.SubElement(ps, q("Coding"), {
                    "guid": _guid("coding", name, str(s), str(e), code, coder),
                    "creatingUser": _guid("user", coder)})
                ET.SubElement(cd, q("CodeRef"), {"targetGUID": _guid("code", code)})
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give the project's file name, e.g. "
                         f"{p / 'project.qdpx'}")
    from equitable._atomic import output_folder

    with output_folder(p.parent, whole=False) as stage, zipfile.ZipFile(
            stage / p.name, "w", compression=zipfile.ZIP_DEFLATED) as z:  # whole or not at all
        info = zipfile.ZipInfo("project.qde", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, xml)
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, files[name].encode("utf-8"))
    return p


def import_qdpx(path: str | Path) -> tuple[list[dict[str, str]], dict[str, str], pd.DataFrame]:
    """Read a REFI-QDA project (``.qdpx``) written by Taguette, QualCoder or this tool.

    Returns
    -------
    codes : list of ``{"id", "name", "parent", "description"}`` (ids are the code names).
    documents : document name -> text (scrubbed).
    excerpts : coded excerpts (``EXCERPT_COLUMNS``; texts scrubbed; offsets in the scrubbed text).

    Raises
    ------
    InputError
        Not a zip, no ``project.qde``, XML that is not a REFI-QDA project, or a coding that
        refers to an unknown code.
    """
    p = Path(path)
    try:
        z = zipfile.ZipFile(p)
    except FileNotFoundError:
        raise InputError(f"{p}: file not found") from None
    except zipfile.BadZipFile:
        raise InputError(f"{p}: not a REFI-QDA project (.qdpx is a zip file)") from None
    with z:
        try:
            root = ET.fromstring(z.read("project.qde"))
        except KeyError:
            raise InputError(f"{p}: no project.qde inside (not a REFI-QDA project)") from None
        except ET.ParseError as exc:
            raise InputError(f"{p}: project.qde is not valid XML ({exc})") from None
        if root.tag != f"{{{_NS}}}Project":
            raise InputError(f"{p}: project.qde is not a REFI-QDA 1.0 project (root element "
                             f"{root.tag})")
        q = lambda t: f"{{{_NS}}}{t}"
        users = {u.get("guid"): u.get("name") or u.get("guid") for u in root.iter(q("User"))}
        codes: list[dict[str, str]] = []
        code_names: dict[str, str] = {}

        def walk(el: ET.Element, parent: str) -> None:
            for c in el.findall(q("Code")):
                guid = c.get("guid")
                if guid is None:
                    raise InputError(f"{p}: a code of the codebook has no guid (REFI-QDA "
                                     "requires one)")
                name = c.get("name") or guid
                code_names[guid] = name
                d = c.find(q("Description"))
                codes.append({"id": name, "name": name, "parent": parent,
                              "description": (d.text or "") if d is not None else ""})
                walk(c, name)

        cbk = root.find(f"{q('CodeBook')}/{q('Codes')}")
        if cbk is not None:
            walk(cbk, "")
        documents: dict[str, str] = {}
        rows = []
        for src in root.iter(q("TextSource")):
            name = src.get("name") or src.get("guid")
            if name is None:
                raise InputError(f"{p}: a text source has no guid (REFI-QDA requires one)")
            ptp = src.get("plainTextPath") or ""
            text = ""
            if ptp.startswith("internal://"):
                member = "sources/" + ptp.removeprefix("internal://")
                try:
                    text = z.read(member).decode("utf-8-sig")
                except KeyError:
                    raise InputError(f"{p}: source '{member}' is missing from the zip") from None
            else:
                pt = src.find(q("PlainTextContent"))
                text = pt.text or "" if pt is not None else ""
            spans = scrub_spans(text)
            documents[name] = apply_spans(text, spans)
            for sel in src.findall(q("PlainTextSelection")):
                s, e = int(sel.get("startPosition", "0")), int(sel.get("endPosition", "0"))
                ns, ne = remap_offset(s, spans), remap_offset(e, spans, end=True)
                for cd in sel.findall(q("Coding")):
                    ref = cd.find(q("CodeRef"))
                    target = ref.get("targetGUID") if ref is not None else None
                    if target is None or target not in code_names:
                        raise InputError(f"{p}: a coding in source '{name}' refers to a code "
                                         "that is not in the codebook")
                    coder = users.get(cd.get("creatingUser") or sel.get("creatingUser"), "")
                    rows.append((sel.get("guid") or "", name, ns, ne, code_names[target],
                                 coder or "unknown", documents[name][ns:ne]))
    ex = pd.DataFrame(rows, columns=EXCERPT_COLUMNS)
    return codes, documents, ex


# ----------------------------------------------------------------------------------------------
# Agreement


def agreement(excerpts: pd.DataFrame, *, unit: Sequence[str] = ("document", "start", "end"),
              codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Inter-coder agreement per code on the presence of the code in each unit.

    A unit is an excerpt span (``document, start, end``; for open-ended answers coded whole,
    the answer) or any other set of columns (``unit=("document",)``: presence in the whole
    document). Every coder is taken to have read every unit that any coder coded (a unit a
    coder left uncoded counts as "absent" for each code). Krippendorff's alpha is nominal
    (binary data).

    Returns
    -------
    DataFrame, one row per code: ``code, units, coders, coded_units, percent_agreement,
    krippendorff_alpha`` and, for each coder pair, ``kappa <a>|<b>`` (Cohen's kappa). Agreement
    is NaN when a code is never or always present (no variation to agree on).
    """
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    if excerpts.empty:
        raise InputError("no coded excerpts to compare")
    missing = [c for c in unit if c not in excerpts.columns]
    if missing:
        raise InputError(f"unit columns {missing} are missing from the coded excerpts")
    ex = excerpts.copy()
    ex["_unit"] = ex[list(unit)].astype(str).agg("\x1f".join, axis=1)
    units = sorted(ex["_unit"].unique())
    coders = sorted(ex["coder"].astype(str).unique())
    if len(coders) < 2:
        raise InputError(f"agreement needs at least two coders; the excerpts have "
                         f"{len(coders)}")
    codes = sorted(ex["code"].unique()) if codes is None else list(codes)
    rows = []
    for code in codes:
        sub = ex[ex["code"] == code]
        present = set(zip(sub["coder"].astype(str), sub["_unit"]))
        mat = np.array([[1.0 if (c, u) in present else 0.0 for u in units] for c in coders])
        row: dict[str, object] = {
            "code": code, "units": len(units), "coders": len(coders),
            "coded_units": int((mat.max(axis=0) > 0).sum()),
            "percent_agreement": 100 * float(np.mean(np.all(mat == mat[0], axis=0))),
        }
        varies = 0 < mat.sum() < mat.size
        row["krippendorff_alpha"] = (float(krippendorff.alpha(reliability_data=mat,
                                                              level_of_measurement="nominal"))
                                     if varies else np.nan)
        for (i, a), (j, b) in combinations(enumerate(coders), 2):
            ya, yb = mat[i], mat[j]
            both_constant = len(set(ya) | set(yb)) < 2
            row[f"kappa {a}|{b}"] = (np.nan if both_constant
                                     else float(cohen_kappa_score(ya, yb)))
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# Themes


def stop_words(language: str) -> list[str]:
    """The stop-word list shipped for ``en`` or ``es`` (one word a line in stopwords/)."""
    f = Path(__file__).with_name("stopwords") / f"{language}.txt"
    if not f.exists():
        raise InputError(f"The 'language' parameter of stop_words must be en or es. "
                         f"Got '{language}' instead.")
    return [w.strip() for w in f.read_text(encoding="utf-8").splitlines()
            if w.strip() and not w.startswith("#")]


def suggest_themes(
    texts: Sequence[str],
    *,
    language: str = "en",
    n_themes: int = 5,
    n_terms: int = 6,
    n_quotes: int = 2,
    names: Sequence[str] = (),
) -> pd.DataFrame:
    """Suggest themes in open-ended answers with TF-IDF and NMF (offline, deterministic).

    Parameters
    ----------
    texts : the answers (in one language).
    language : ``en`` or ``es`` (the stop-word list).
    n_themes : number of NMF components (reduced when there are too few answers).

    Returns
    -------
    DataFrame ``theme, terms, answers, share_pct, quote_1 ... quote_k``: the top terms of each
    theme, how many answers load mostly on it, and the answers loading highest on it (scrubbed).
    Suggestions are for a human coder to confirm, never results in themselves.
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [scrub_text(str(t), names) for t in texts if str(t).strip()]
    if len(docs) < 3:
        raise InputError(f"theme suggestions need at least 3 non-empty answers; got {len(docs)}")
    sw = stop_words(language)
    vec = TfidfVectorizer(stop_words=sw, token_pattern=r"(?u)\b[^\W\d_][^\W\d_]+\b",
                          min_df=2 if len(docs) >= 20 else 1, ngram_range=(1, 2),
                          sublinear_tf=True)
    X = vec.fit_transform([d.replace("[name]", " ").replace("[phone]", " ")
                           .replace("[email]", " ") for d in docs])
    k = max(1, min(n_themes, X.shape[0] - 1, X.shape[1]))
    model = NMF(n_components=k, init="nndsvd", random_state=0, max_iter=1000)
    with warnings.catch_warnings():  # short answers: NMF may stop at max_iter, still usable
        warnings.simplefilter("ignore", ConvergenceWarning)
        W = model.fit_transform(X)
    H = model.components_
    terms = vec.get_feature_names_out()
    main = W.argmax(axis=1)
    rows = []
    for t in range(k):
        top = [terms[i] for i in np.argsort(-H[t], kind="stable")[:n_terms]]
        quotes: list[str] = []
        for i in np.argsort(-W[:, t], kind="stable"):
            if len(quotes) == n_quotes or W[i, t] <= 0:
                break
            if docs[i] not in quotes:
                quotes.append(docs[i])
        row = {"theme": t + 1, "terms": ", ".join(top), "answers": int((main == t).sum()),
               "share_pct": 100 * float((main == t).mean())}
        for j in range(n_quotes):
            row[f"quote_{j + 1}"] = quotes[j] if j < len(quotes) else ""
        rows.append(row)
    out = pd.DataFrame(rows).sort_values(["answers", "theme"], ascending=[False, True],
                                         kind="stable").reset_index(drop=True)
    out["share_pct"] = out["share_pct"].round(4)
    return out
