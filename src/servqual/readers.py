"""Reading survey files: CSV, Excel, SPSS, Stata and Qualtrics exports.

:func:`read_survey` returns a :class:`Survey` holding the data (missing codes
already turned into missing values), the :class:`~servqual.codebook.Codebook`
(given, or drafted from the data and the file's metadata) and the count of
coded vs blank missing answers per item.  File metadata is kept: SPSS/Stata
variable labels become item labels, value labels become value labels, SPSS
user-defined missing values become per-item missing codes and Stata extended
missing values (``.a`` to ``.z``) become missing, each cell's code kept in
:attr:`Survey.coded`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ._checks import check_columns, check_data, suspect_missing_codes
from ._result import Result, records_provenance, resultclass
from ._summary import Summary
from .codebook import Codebook, Roles, read_codebook
from .errors import CodebookError, DataError, ParameterError, ReadError
from .instrument import Instrument

__all__ = ["Survey", "read_survey", "read_frame", "draft_codebook", "FORMATS"]

#: file extension -> format name
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".sav": "spss",
    ".zsav": "spss",
    ".dta": "stata",
}


@resultclass
class Survey(Result):
    """A survey file as read: data, codebook and missing answers per item.

    Attributes
    ----------
    data : DataFrame
        One row per respondent; missing codes are NaN.
    codebook : Codebook
    missing : DataFrame
        Per rated column: ``blank``, ``coded`` (a missing code: the codebook's
        codes, SPSS user-missing values, Stata ``.a``-``.z``) and ``n_valid``.
    source : str
        The file read.
    format : str
        ``csv``, ``qualtrics``, ``xlsx``, ``spss`` or ``stata``.
    notes : tuple of str
        What the reader decided (delimiter, decimal comma, encoding fallback...).
    coded : DataFrame
        One row per answer that was a missing code: ``row`` (the row label),
        ``column`` and ``code`` (the number, or Stata's ``".a"`` ... ``".z"``),
        so that "refused" and "don't know" stay apart after both became NaN.
    """

    data: pd.DataFrame
    codebook: Codebook
    missing: pd.DataFrame
    source: str
    format: str
    notes: tuple = ()
    coded: pd.DataFrame | None = None

    def summary(self) -> Summary:
        head = {
            "file": self.source,
            "format": self.format,
            "respondents": int(self.data.shape[0]),
            "columns": int(self.data.shape[1]),
            "blocks": len(self.codebook.instrument.dimensions),
            "coded missing (N/A codes)": int(self.missing["coded"].sum()),
            "blank answers": int(self.missing["blank"].sum()),
        }
        sections = [("Survey", head)]
        miss = self.missing[(self.missing["coded"] > 0) | (self.missing["blank"] > 0)]
        if len(miss):
            sections.append(("Missing answers per item", miss))
        return Summary("Survey file", sections, tuple(self.notes))

    def to_frame(self) -> pd.DataFrame:
        return self.data.copy()


# ----------------------------------------------------------------------- entry
@records_provenance
def read_survey(
    path: str | Path,
    codebook: Codebook | str | Path | None = None,
    *,
    sheet: str | int | None = None,
) -> Survey:
    """Read a survey file and its codebook.

    Parameters
    ----------
    path : path-like
        ``.csv`` (delimiter, BOM and decimal comma sniffed; a Qualtrics export
        recognised by its ImportId row), ``.xlsx``, SPSS ``.sav`` or Stata
        ``.dta`` (extended missing values ``.a``-``.z`` become missing, counted
        as coded and kept per cell in :attr:`Survey.coded`).
    codebook : Codebook, path of a YAML codebook, or None
        None drafts one from the data and the file's metadata (see
        :func:`draft_codebook`).
    sheet : str or int, optional
        The worksheet of an ``.xlsx`` file: its name or 0-based position
        (default: the first).  A sheet the workbook lacks raises
        :class:`~servqual.errors.ReadError` naming the sheets it has.

    Raises
    ------
    ReadError
        Missing, empty, unreadable file or unknown extension (message names the file).
    CodebookError
        The codebook names a column the file does not have.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("id;q1;q2\\n1;4;3,5\\n2;0;2\\n", encoding="utf-8")
    >>> s = read_survey(p)
    >>> s.data["q2"].tolist(), s.notes[:2]
    ([3.5, 2.0], ("delimiter ';'", 'decimal comma'))
    """
    path = Path(path)
    fmt = _format_of(path)
    frame, meta, notes = _read(path, fmt, sheet)
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ReadError(f"{path}: the file has no data rows.")
    frame.columns = [str(c).strip() for c in frame.columns]
    dup = frame.columns[frame.columns.duplicated()].tolist()
    if dup:
        raise ReadError(f"{path}: column name {dup[0]!r} occurs more than once.")
    if meta.get("format"):
        fmt = meta["format"]
    if codebook is None:
        codebook = draft_codebook(frame, meta, name=path.stem)
        notes.append("codebook drafted from the data: check it (servqual init writes it).")
        file_codes = meta.get("missing_codes") or {}
        guessed = {
            c: [k for k in v if k not in file_codes.get(c, ())]
            for c, v in codebook.item_missing_codes.items()
        }
        guessed = {c: v for c, v in guessed.items() if v}
        if guessed:
            notes.append(
                "answers read as missing codes (conventional codes outside the other "
                "answers): "
                + ", ".join(f"{c}: {', '.join(map(str, v))}" for c, v in guessed.items())
                + "; declare missing_codes in the codebook if that is wrong."
            )
    else:
        if not isinstance(codebook, Codebook):
            codebook = read_codebook(codebook)
        codebook = _with_file_codes(codebook, meta.get("missing_codes") or {}, notes)
    try:
        cells = _coded_cells(frame, codebook)
        data, counts = codebook.apply(frame)
    except CodebookError as exc:
        raise CodebookError(f"{path}: {exc}") from None
    extended = meta.get("extended_missing") or {}
    for col, codes in extended.items():  # Stata .a-.z: NaN in the frame, but coded answers
        cells.append(pd.DataFrame({"row": codes.index, "column": col, "code": codes.to_numpy()}))
        if col in counts.index:
            counts.loc[col, "blank"] -= len(codes)
            counts.loc[col, "coded"] += len(codes)
    coded = (
        pd.concat(cells, ignore_index=True)
        if cells
        else pd.DataFrame({"row": [], "column": [], "code": []}, dtype=object)
    )
    return Survey(data, codebook, counts, str(path), fmt, tuple(notes), coded)


def _coded_cells(frame: pd.DataFrame, codebook: Codebook) -> list[pd.DataFrame]:
    """Where each of the codebook's missing codes occurs (before they become NaN)."""
    out = []
    for col in codebook.rated_columns():
        codes = codebook.codes_of(col)
        if not codes or col not in frame.columns:
            continue
        s = pd.to_numeric(frame[col], errors="coerce")
        hit = s.isin(codes).to_numpy()
        if hit.any():
            out.append(pd.DataFrame({"row": frame.index[hit], "column": col,
                                     "code": [_num(v) for v in s[hit]]}))  # fmt: skip
    return out


def _read(path: Path, fmt: str, sheet):
    if sheet is not None and fmt != "xlsx":
        raise ParameterError(
            f"sheet={sheet!r} is invalid for {path}: only .xlsx workbooks have sheets."
        )
    return _read_xlsx(path, sheet) if fmt == "xlsx" else _READERS[fmt](path)


def read_frame(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """The table of a survey file as it is (no codebook applied, nothing drafted).

    Stata extended missing values (``.a``-``.z``) are NaN; ``sheet`` chooses
    the worksheet of an ``.xlsx`` file (name or 0-based position).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "s.csv"
    >>> _ = p.write_text("P1,P2\\n1,2\\n", encoding="utf-8")
    >>> read_frame(p).columns.tolist()
    ['P1', 'P2']
    """
    path = Path(path)
    frame, _, _ = _read(path, _format_of(path), sheet)
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise ReadError(f"{path}: the file has no data rows.")
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


def _with_file_codes(codebook: Codebook, file_codes: Mapping, notes: list) -> Codebook:
    """Add a file's user-defined missing values (SPSS) to the codebook's codes of that item."""
    from dataclasses import replace

    own = dict(codebook.item_missing_codes)
    rated = set(codebook.rated_columns())
    added = []
    for col, codes in file_codes.items():
        if col not in rated:
            continue
        lo, hi = codebook.scale_of(col)
        have = codebook.codes_of(col)
        new = tuple(c for c in codes if c not in have and not lo <= c <= hi)
        if new:
            own[col] = tuple(have) + new
            added.append(f"{col} {[_num(c) for c in new]}")
    if not added:
        return codebook
    notes.append("user-defined missing values of the file added as missing codes: "
                 + ", ".join(added))  # fmt: skip
    return replace(codebook, item_missing_codes=own)


def _format_of(path: Path) -> str:
    if not path.exists():
        raise ReadError(f"{path}: no such file.")
    if path.is_dir():
        raise ReadError(f"{path}: is a folder, not a survey file.")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ReadError(
            f"{path}: unknown file type {suffix or '(no extension)'!r}: expected one of "
            f"{', '.join(sorted(FORMATS))} (save .xls files as .xlsx)."
        )
    if path.stat().st_size == 0:
        raise ReadError(f"{path}: the file is empty (0 bytes).")
    return FORMATS[suffix]


# --------------------------------------------------------------------- readers
def _decode(path: Path, notes: list[str]) -> str:
    raw = path.read_bytes()
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise ReadError(
            f"{path}: this is an Excel workbook (or another zip/OLE file), not CSV text; "
            "give it its real extension (.xlsx) and read it again."
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append("UTF-16 text")
        return raw.decode("utf-16")
    if b"\x00" in raw[:4096]:
        raise ReadError(
            f"{path}: unreadable encoding: the file holds NUL bytes, so it is not CSV text "
            "(is it a binary file with a .csv name?)."
        )
    try:
        text = raw.decode("utf-8-sig")
        if raw.startswith(b"\xef\xbb\xbf"):
            notes.append("UTF-8 with byte-order mark")
        return text
    except UnicodeDecodeError as exc:
        notes.append(
            f"not UTF-8 (byte {raw[exc.start]:#04x} at offset {exc.start}): read as latin-1; "
            "check accented labels"
        )
        return raw.decode("latin-1")


def _read_csv(path: Path):
    notes: list[str] = []
    text = _decode(path, notes)
    if not text.strip():
        raise ReadError(f"{path}: the file holds no text.")
    sample = text[:65536]
    try:
        delim = csv.Sniffer().sniff(sample.split("\n", 1)[0] + "\n", delimiters=",;\t|").delimiter
    except csv.Error:
        delim = ","
    if delim != ",":
        notes.append(f"delimiter {delim!r}")
    meta: dict = {}
    lines = text.splitlines()
    head = [h.strip() for h in next(csv.reader([lines[0]], delimiter=delim))]
    dup = [h for i, h in enumerate(head) if h in head[:i]]
    if dup:
        raise ReadError(f"{path}: column name {dup[0]!r} occurs more than once.")
    skip = None
    if len(lines) > 2 and '"ImportId"' in lines[2].replace('""', '"'):
        skip = [1, 2]
        row1 = next(csv.reader([lines[1]], delimiter=delim))
        meta["labels"] = {h.strip(): t.strip() for h, t in zip(head, row1) if t.strip()}
        meta["format"] = "qualtrics"
        notes.append("Qualtrics export: question text row read as labels, ImportId row skipped")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=delim, skiprows=skip, skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ReadError(f"{path}: not a readable CSV table: {exc}") from None
    comma = re.compile(r"^\s*-?\d+,\d+\s*$")
    obj = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])
    ]
    if delim != "," and any(frame[c].dropna().astype(str).str.match(comma).any() for c in obj):
        frame = pd.read_csv(io.StringIO(text), sep=delim, skiprows=skip, decimal=",",
                            skipinitialspace=True)  # fmt: skip
        notes.append("decimal comma")
    if skip:  # Qualtrics writes numbers as text after the label rows
        for c in frame.columns:
            num = pd.to_numeric(frame[c], errors="coerce")
            if num.notna().sum() == frame[c].notna().sum():
                frame[c] = num
    return frame, meta, notes


def _read_xlsx(path: Path, sheet=None):
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except Exception as exc:  # zip/xml errors of a damaged workbook
        raise ReadError(f"{path}: not a readable .xlsx workbook: {exc}") from None
    names = list(book.sheet_names)
    have = ", ".join(repr(n) for n in names)
    if sheet is None:
        sheet = 0
    if isinstance(sheet, str) and sheet not in names and sheet.strip().isdigit():
        sheet = int(sheet)  # the CLI's --sheet 1 (a position, unless a sheet is named "1")
    if isinstance(sheet, bool) or not isinstance(sheet, (str, int)):
        raise ParameterError(f"sheet={sheet!r} is invalid: expected a sheet name or position.")
    if isinstance(sheet, int) and not 0 <= sheet < len(names):
        raise ReadError(
            f"{path}: no worksheet at position {sheet} (0-based); the workbook has "
            f"{len(names)}: {have}."
        )
    if isinstance(sheet, str) and sheet not in names:
        raise ReadError(f"{path}: no worksheet named {sheet!r}; the workbook has: {have}.")
    name = names[sheet] if isinstance(sheet, int) else sheet
    try:
        frame = pd.read_excel(book, sheet_name=name)
    except Exception as exc:
        raise ReadError(f"{path}: worksheet {name!r} is not readable: {exc}") from None
    note = f"worksheet {name!r} read" + (f" (of {len(names)}: {have})" if len(names) > 1 else "")
    return frame, {}, [note]


def _readstat(path: Path, fmt: str):
    import pyreadstat

    fn = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    try:
        frame, m = fn(str(path), user_missing=True)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise ReadError(f"{path}: not a readable {fmt.upper()} file: {exc}") from None
    notes: list[str] = []
    extended = _stata_extended(frame, m) if fmt == "stata" else {}
    if extended:
        notes.append("Stata extended missing values read as missing codes: " + "; ".join(
            f"{c} " + ", ".join(f"{k} x{v}" for k, v in s.value_counts().sort_index().items())
            for c, s in extended.items()))  # fmt: skip
    meta: dict = {
        "labels": {k: v for k, v in (m.column_names_to_labels or {}).items() if v},
        "value_labels": dict(m.variable_value_labels or {}),
    }
    codes: dict[str, list] = {}
    for col, vals in (getattr(m, "missing_user_values", None) or {}).items():
        codes.setdefault(col, []).extend(
            v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)
        )
    for col, ranges in (getattr(m, "missing_ranges", None) or {}).items():
        for r in ranges:
            lo, hi = r["lo"], r["hi"]
            if lo == hi:
                codes.setdefault(col, []).append(lo)
            elif float(hi) - float(lo) <= 100 and float(lo).is_integer():
                codes.setdefault(col, []).extend(range(int(lo), int(hi) + 1))
    meta["missing_codes"] = {k: sorted(set(v)) for k, v in codes.items() if v}
    meta["extended_missing"] = extended
    return frame, meta, notes


def _stata_extended(frame: pd.DataFrame, m) -> dict[str, pd.Series]:
    """Turn Stata's extended missing values into NaN, in place; return their codes.

    With ``user_missing=True`` pyreadstat gives a numeric variable holding
    ``.a``-``.z`` as an object column with the letters.  Returns column ->
    Series of ``".a"``-style codes indexed by the rows that held them.
    """
    declared = getattr(m, "missing_user_values", None) or {}
    out = {}
    for col in frame.columns:
        s = frame[col]
        if s.dtype != object:
            continue
        letter = s.map(lambda v: isinstance(v, str) and len(v) == 1 and "a" <= v <= "z")
        letter = letter.to_numpy(dtype=bool)
        if not letter.any():
            continue
        rest = s[~letter].dropna()
        numeric = rest.map(lambda v: isinstance(v, (int, float, np.number))).all()
        if not (numeric or col in declared):
            continue  # a string variable whose answers happen to be single letters
        out[col] = ("." + s[letter].astype(str)).rename(col)
        frame[col] = pd.to_numeric(s.mask(letter), errors="coerce")
    return out


_READERS = {
    "csv": _read_csv,
    "xlsx": _read_xlsx,
    "spss": lambda p: _readstat(p, "spss"),
    "stata": lambda p: _readstat(p, "stata"),
}


# ---------------------------------------------------------------------- drafts
def _is_rated(s: pd.Series, codes) -> tuple[float, float] | None:
    """The observed (low, high) of an integer-valued item with 2-11 points, else None."""
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return None
    v = s.dropna()
    v = v[~v.isin(codes)]
    if v.empty or not np.all(np.asarray(v, dtype=float) == np.round(np.asarray(v, dtype=float))):
        return None
    lo, hi = float(v.min()), float(v.max())
    if not (lo < hi and hi - lo <= 10 and v.nunique() >= 2):
        return None
    return lo, hi


_ID = re.compile(r"^(id|.*[_ ]id|respondent.*|responseid|record|serial)$", re.IGNORECASE)


def _prefix(name: str) -> str:
    stem = re.sub(r"[\s_.\-]*\d+[a-z]?$", "", name, flags=re.IGNORECASE)
    return stem or name


def draft_codebook(
    data: pd.DataFrame, meta: Mapping | None = None, *, name: str = "survey"
) -> Codebook:
    """Draft a codebook from the data (and a file's metadata) for the user to edit.

    Item scales come from each item's observed range, blocks from name
    prefixes (``q1, q2`` -> ``q``; ``SQ1_1`` -> ``SQ1``), labels and missing
    codes from the file's metadata; a column with a distinct value per row
    becomes the ``id`` role.  A conventional code (-9, -99, 99, 999, ...) outside
    the 2-11 point range of a column's other answers becomes that column's
    missing code (:func:`read_survey` says so in its notes).

    Examples
    --------
    >>> df = pd.DataFrame({"id": [1, 2, 3], "speed1": [1, 4, 5], "speed2": [2, 5, 3],
    ...                    "care1": [3, 3, 4]})
    >>> draft_codebook(df).instrument.dimension_columns()
    {'speed': ['speed1', 'speed2'], 'care': ['care1']}
    """
    check_data(data)
    check_columns(data, [])  # duplicated column names, named
    odd = [c for c in data.columns if not isinstance(c, str)]
    if odd:
        raise DataError(
            f"column name {odd[0]!r} is not text: a codebook names its columns, so draft one "
            "from a frame with text column names (df.columns = df.columns.astype(str))."
        )
    meta = dict(meta or {})
    item_codes = {str(k): tuple(v) for k, v in (meta.get("missing_codes") or {}).items()}
    labels = {str(k): str(v) for k, v in (meta.get("labels") or {}).items() if k in data.columns}
    value_labels = {
        str(k): {_num(c): str(lab) for c, lab in v.items()}
        for k, v in (meta.get("value_labels") or {}).items()
        if k in data.columns
    }
    scales, blocks = {}, {}
    id_col = None
    for col in data.columns:
        s = data[col]
        if id_col is None and _ID.match(str(col)) and s.is_unique:
            id_col = col
            continue
        sc = _is_rated(s, item_codes.get(col, ()))
        if sc is None:  # -99, 999 ... beside 1-7 answers: a missing code, for the user to check
            guess = suspect_missing_codes(s[~s.isin(item_codes.get(col, ()))])
            if guess:
                item_codes[col] = item_codes.get(col, ()) + guess
                sc = _is_rated(s, item_codes[col])
        if sc is None:
            if id_col is None and s.notna().all() and s.is_unique and s.shape[0] > 1:
                id_col = col
            continue
        scales[col] = sc
        blocks.setdefault(_prefix(col), []).append(col)
    if not scales:
        raise ReadError(
            f"{name}: no column looks like a rated item (integers with 2-11 points); "
            f"columns: {list(data.columns)[:10]}."
        )
    common = pd.Series([scales[c] for c in scales]).value_counts().index[0]
    own = {c: s for c, s in scales.items() if s != common}
    # codes from metadata must lie outside the drafted scale
    for col, codes in list(item_codes.items()):
        lo, hi = scales.get(col, common)
        item_codes[col] = tuple(c for c in codes if not lo <= c <= hi)
        if col not in scales or not item_codes[col]:
            item_codes.pop(col)
    inst = Instrument(name=name, dimensions=blocks, scale=common)
    roles = Roles(id=id_col) if id_col is not None else Roles()
    return Codebook(
        inst, scales=own, item_missing_codes=item_codes, labels=labels,
        value_labels=value_labels, roles=roles,
    )  # fmt: skip


def _num(v):
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(f) if f.is_integer() else f
