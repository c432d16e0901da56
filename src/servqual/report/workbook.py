"""Every report table in one Excel workbook: a "columns" sheet, then one sheet a table."""

from __future__ import annotations

import io
import re

import pandas as pd

from .fmt import Table

_BAD = re.compile(r"[\[\]:*?/\\']")


def sheet_names(tables: list[Table]) -> list[str]:
    """Unique Excel sheet names (at most 31 characters, no ``[]:*?/\\``) for ``tables``.

    Examples
    --------
    >>> t = Table("a" * 40, "", pd.DataFrame())
    >>> sheet_names([t, t])
    ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa_2']
    """
    names: list[str] = []
    taken = {"columns"}
    for t in tables:
        base = _BAD.sub("_", t.key).strip() or "table"
        name, k = base[:31], 1
        while name.lower() in taken:
            k += 1
            suffix = f"_{k}"
            name = base[: 31 - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def columns_sheet(tables: list[Table]) -> pd.DataFrame:
    """The first sheet: for each sheet, its title and what each column holds."""
    rows = []
    for name, t in zip(sheet_names(tables), tables):
        for col in t.frame.columns:
            rows.append({"sheet": name, "table": t.title, "column": str(col),
                         "meaning": t.describe.get(col, str(col))})  # fmt: skip
    return pd.DataFrame(rows, columns=["sheet", "table", "column", "meaning"])


def workbook_bytes(tables: list[Table]) -> bytes:
    """The ``.xlsx`` file (openpyxl): sheet "columns", then one sheet per table.

    Reading a sheet back with ``pd.read_excel(..., sheet_name=name)`` gives the
    table's ``frame``.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        columns_sheet(tables).to_excel(xw, sheet_name="columns", index=False)
        for name, t in zip(sheet_names(tables), tables):
            t.frame.to_excel(xw, sheet_name=name, index=False)
        # fixed document properties keep the file the same from run to run
        props = xw.book.properties
        props.creator = "servqual"
        stamp = pd.Timestamp("2000-01-01").to_pydatetime()
        props.created = props.modified = stamp
    return _fixed_zip_times(buf.getvalue())


def _fixed_zip_times(blob: bytes, date_time=(2000, 1, 1, 0, 0, 0)) -> bytes:
    """Rewrite a zip (xlsx/pptx) with every member's timestamp fixed."""
    import zipfile

    src = zipfile.ZipFile(io.BytesIO(blob))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=date_time)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
