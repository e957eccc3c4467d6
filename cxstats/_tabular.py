"""Plain tabular survey files (delimited text, Excel, Parquet), read without silent changes.

The delimiter and decimal mark of text are found in the file, identifiers with
leading zeros stay text, and repeated column names are refused before pandas
can rename them; :func:`cxstats.read_responses` is the public entry point.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import io
import itertools
import lzma
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from ._validate import DataError

# Delimited text ---------------------------------------------------------------------------------------------------

DELIMITERS = (",", ";", "\t", "|")
ONE_COLUMN = "\x1f"  # the ASCII unit separator, absent from survey text: a file of one column is read whole
SAMPLE_LINES = 200  # lines read to find the delimiter and the decimal mark
BLOCK = 1 << 22  # bytes scanned at a time for values with leading zeros
SUFFIX_COMPRESSION = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip", ".zst": "zstd"}
OPENERS = {None: open, "gzip": gzip.open, "bz2": bz2.open, "xz": lzma.open}

INTEGER = re.compile(r"[+-]?\d+")
COMMA_DECIMAL = re.compile(r"[+-]?\d*,\d+")
POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
THOUSANDS_LIKE = re.compile(r"[+-]?\d{1,3},\d{3}")
LEADING_ZERO = re.compile(r"\s*[+-]?0\d")

# Options that shape how the header row itself is read (kept when only the header is read).
CSV_HEADER_OPTIONS = ("sep", "delimiter", "quotechar", "quoting", "escapechar", "doublequote", "encoding",
                      "encoding_errors", "compression", "skiprows", "comment", "skip_blank_lines", "skipinitialspace",
                      "engine", "dialect", "lineterminator", "storage_options")
EXCEL_HEADER_OPTIONS = ("sheet_name", "skiprows", "engine", "engine_kwargs", "storage_options")


def _compression(path: Path, options: dict):
    """The compression of a text file as pandas names it: None for plain text, else e.g. ``"gzip"``."""
    method = options.get("compression", "infer")
    if isinstance(method, dict):
        method = method.get("method")
    return SUFFIX_COMPRESSION.get(path.suffix.lower()) if method == "infer" else method


@contextmanager
def _open_binary(path: Path, method):
    """The decompressed bytes of ``path``; yields None for a compression this module cannot open itself."""
    if method == "zip":
        with zipfile.ZipFile(path) as archive, archive.open(archive.namelist()[0]) as handle:
            yield handle
        return
    opener = OPENERS.get(method)
    if method == "zstd":
        try:
            import zstandard
            opener = zstandard.open
        except ImportError:
            opener = None
    if opener is None:
        yield None
        return
    with opener(path, "rb") as handle:
        yield handle


def _first_lines(path: Path, options: dict):
    """The first lines of a text file after ``skiprows`` (when a number), and whether they are all its lines.

    Returns ``(None, False)`` for a compression this module cannot open.
    """
    encoding = options.get("encoding") or "utf-8"
    encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    skip = options.get("skiprows") if isinstance(options.get("skiprows"), int) else 0
    with _open_binary(path, _compression(path, options)) as handle:
        if handle is None:
            return None, False
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        lines = list(itertools.islice(text, skip + SAMPLE_LINES + 1))[skip:]
    return lines[:SAMPLE_LINES], len(lines) <= SAMPLE_LINES


def _records(lines: list, complete: bool, delimiter: str, options: dict) -> list:
    """The sample split at ``delimiter`` (blank lines left out; a last record the sample may have cut, too).

    A sample that ends inside a quoted field (an answer written over several lines) keeps the records before it.
    """
    reader = csv.reader(lines, delimiter=delimiter, quotechar=options.get("quotechar") or '"',
                        quoting=options.get("quoting", csv.QUOTE_MINIMAL), strict=True)
    rows = []
    try:
        rows.extend(row for row in reader if row)
    except csv.Error:
        if complete or reader.line_num < len(lines):  # broken quoting, not a sample cut inside a quoted field
            return []
    return rows if complete or len(rows) < 2 else rows[:-1]


def _sniff_delimiter(lines: list, complete: bool, path: Path, options: dict):
    """The delimiter that splits the header and every sampled row into the same number of fields (None: one column).

    Among ``,`` ``;`` tab and ``|``, the candidates are those that split the header row; of several, the one that
    splits every row evenly into the most fields. No such delimiter, or a tie, raises :class:`DataError`.
    """
    splits = {}
    for delimiter in DELIMITERS:
        rows = _records(lines, complete, delimiter, options)
        if rows and len(rows[0]) > 1:
            splits[delimiter] = rows
    if not splits:
        return None
    even = {d: len(rows[0]) for d, rows in splits.items() if all(len(row) == len(rows[0]) for row in rows)}
    widest = [d for d, width in even.items() if width == max(even.values())]
    if len(widest) == 1:
        return widest[0]
    if widest:
        raise DataError(f"{path}: cannot tell the delimiter: the first lines split evenly at each of "
                        f"{', '.join(map(repr, widest))}; pass sep= with the delimiter, e.g. sep={widest[0]!r}")
    delimiter, rows = next(iter(splits.items()))
    row = next(i for i, row in enumerate(rows) if len(row) != len(rows[0]))
    raise DataError(
        f"{path}: cannot tell the delimiter: at {delimiter!r} the header has {len(rows[0])} fields but record "
        f"{row + 1} (counting the header as 1) has {len(rows[row])}; pass sep= with the delimiter"
        + (f" (one of {', '.join(map(repr, splits))})" if len(splits) > 1 else f", e.g. sep={delimiter!r}")
    )


def _decimal_comma(rows: list, names: list, path: Path) -> bool:
    """True when number-like fields of the sample use a comma between digits, consistently.

    A column is a decimal-comma column when every field in it that holds a digit is a whole number or digits with
    one comma (``4,5``), at least one with a comma; likewise for a point. Columns of both kinds, or commas that
    could equally be thousands separators (every one like ``1,234``), raise :class:`DataError`.
    """
    comma, point = {}, {}
    for name, cells in zip(names, itertools.zip_longest(*rows, fillvalue=""), strict=False):
        numbers = [cell.strip() for cell in cells if any(ch.isdigit() for ch in cell)]
        if not numbers or not all(INTEGER.fullmatch(x) or COMMA_DECIMAL.fullmatch(x) or POINT_DECIMAL.fullmatch(x)
                                  for x in numbers):
            continue
        with_comma = [x for x in numbers if COMMA_DECIMAL.fullmatch(x)]
        with_point = [x for x in numbers if POINT_DECIMAL.fullmatch(x)]
        if with_comma and not with_point:
            comma[name] = with_comma
        elif with_point and not with_comma:
            point[name] = with_point
    if not comma:
        return False
    first = next(iter(comma))
    if point:
        other = next(iter(point))
        raise DataError(
            f"{path}: column {first!r} uses ',' as decimal mark (e.g. {comma[first][0]!r}) but column {other!r} "
            f"uses '.' (e.g. {point[other][0]!r}); pass decimal=',' or decimal='.' (the columns with the other "
            "mark are then read as text)"
        )
    if all(THOUSANDS_LIKE.fullmatch(x) for values in comma.values() for x in values):
        raise DataError(
            f"{path}: column {first!r} has values such as {comma[first][0]!r}, where ',' may be a decimal mark or "
            "a thousands separator; pass decimal=',' or thousands=','"
        )
    return True


def sniff_text(path: Path, options: dict) -> dict:
    """``options`` with ``encoding`` (from a byte-order mark), ``sep`` and ``decimal`` found in the file where the
    caller gave none."""
    options = _bom_encoding(path, options)
    explicit_sep = any(name in options for name in ("sep", "delimiter", "delim_whitespace"))
    if explicit_sep and "decimal" in options:
        return options
    lines, complete = _first_lines(path, options)
    if lines is None:
        return options
    options = dict(options)
    if not explicit_sep:
        # no delimiter splits the header: one column, read whole (pandas would take a comma in a row as a
        # delimiter and turn the first field into the index)
        options["sep"] = _sniff_delimiter(lines, complete, path, options) or ONE_COLUMN
    sep = options.get("sep", options.get("delimiter", ","))
    if "decimal" in options or options.get("thousands") == "," or not isinstance(sep, str) or len(sep) != 1 \
            or sep == ",":
        return options
    rows = _records(lines, complete, sep, options)
    has_header = options.get("header", "infer") is not None and options.get("names") is None
    names = rows[0] if rows and has_header else list(range(max(map(len, rows), default=0)))
    if _decimal_comma(rows[1:] if has_header else rows, names, path):
        options["decimal"] = ","
    return options


def header_row(read, path: Path, options: dict, kept: tuple) -> list:
    """The header cells as written in the file (before pandas renames repeats), or [] when there is none."""
    header = options.get("header", "infer")
    if options.get("names") is not None or header is None:
        return []
    header = 0 if header == "infer" else header
    if not isinstance(header, int):  # several header rows: not checked here
        return []
    shaping = {name: value for name, value in options.items() if name in kept}
    if shaping.get("engine") == "pyarrow":  # it cannot stop after a few rows
        del shaping["engine"]
    top = read(path, header=None, nrows=header + 1, dtype=object, **shaping)
    return top.iloc[header].tolist() if len(top) > header else []


def refuse_duplicate_names(names, path: Path, remedy: str) -> None:
    """Raise :class:`DataError` naming every column name used more than once, with the positions (from 1)."""
    positions = {}
    for position, name in enumerate(names, start=1):
        if not (isinstance(name, float) and np.isnan(name)) and name is not None:
            positions.setdefault(name, []).append(position)
    repeated = {name: found for name, found in positions.items() if len(found) > 1}
    if repeated:
        detail = "; ".join(f"columns {', '.join(map(str, found))} (counting from 1) are all named {name!r}"
                           for name, found in repeated.items())
        raise DataError(f"{path}: {detail}. Each column needs its own name: {remedy}")


def _byte_set(characters: str) -> np.ndarray:
    """A 256-entry lookup table: True at the byte values of ``characters`` (ASCII)."""
    table = np.zeros(256, dtype=bool)
    table[list(characters.encode("ascii"))] = True
    return table


SIGNS = _byte_set("+-")


def _zero_led_value_at(buffer: bytes, starts: np.ndarray) -> bool:
    """Whether ``buffer`` holds a ``0`` followed by a digit at the start of a field (after its first 2 bytes).

    A field starts after a byte marked in the lookup table ``starts`` (delimiter, line end, quote, space),
    possibly with a sign in between.
    """
    data = np.frombuffer(buffer, dtype=np.uint8)
    at = np.flatnonzero((data[2:-1] == ord("0")) & (data[3:] - np.uint8(ord("0")) < 10)) + 2  # "0" then a digit
    before = data[at - 1]
    return bool((starts[before] | (SIGNS[before] & starts[data[at - 2]])).any())


def _may_have_leading_zeros(path: Path, options: dict) -> bool:
    """False only when a scan of the file's bytes shows that no field starts with ``0`` and another digit.

    A quick pass, so that most files are read once; anything it cannot scan (a regular-expression delimiter,
    UTF-16 text, an unknown compression) counts as "may have".
    """
    sep = options.get("sep", options.get("delimiter", ","))
    encoding = str(options.get("encoding") or "utf-8").lower()
    if not isinstance(sep, str) or len(sep) != 1 or not sep.isascii() or "16" in encoding or "32" in encoding:
        return True
    starts = _byte_set(sep + "\n\r\"' \t")
    with _open_binary(path, _compression(path, options)) as handle:
        if handle is None:
            return True
        tail = b"\n\n"
        block = handle.read(BLOCK).removeprefix(codecs.BOM_UTF8)
        while block:
            buffer = tail + block
            if _zero_led_value_at(buffer, starts):
                return True
            tail = buffer[-3:]
            block = handle.read(BLOCK)
    return False


def _numbers(values) -> bool:
    """Whether ``values`` (a column or index level) were read as numbers other than True/False."""
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def _zero_led(values) -> bool:
    """Whether any of the text ``values`` is written with a leading zero followed by more digits (``007``)."""
    return any(LEADING_ZERO.match(value) for value in pd.unique(values.dropna()))


def _keep_leading_zeros(df: pd.DataFrame, path: Path, options: dict) -> pd.DataFrame:
    """Columns (and named index levels) read as numbers in which any value was written with a leading zero
    (``007``) become text, every value as written.

    Columns with a ``dtype=`` or ``converters=`` entry are left as the caller asked.
    """
    dtype = options.get("dtype")
    if dtype is not None and not isinstance(dtype, dict):  # one type for every column
        return df
    chosen = set(dtype or {}) | set(options.get("converters") or {})
    numeric = [c for c in df.columns if c not in chosen and _numbers(df[c])]
    levels = [i for i, name in enumerate(df.index.names)
              if name is not None and name not in chosen and _numbers(df.index.get_level_values(i))]
    if not (numeric or levels) or not _may_have_leading_zeros(path, options):
        return df
    as_text = dict.fromkeys(numeric + [df.index.names[i] for i in levels], str)
    text = pd.read_csv(path, **{**options, "dtype": {**(dtype or {}), **as_text}})
    for column in numeric:
        if _zero_led(text[column]):
            df[column] = text[column].array
    led = [i for i in levels if _zero_led(text.index.get_level_values(i))]
    if led:
        arrays = [(text if i in led else df).index.get_level_values(i) for i in range(df.index.nlevels)]
        df.index = pd.MultiIndex.from_arrays(arrays) if len(arrays) > 1 else arrays[0]
    return df


def _bom_encoding(path: Path, options: dict) -> dict:
    """``options`` with ``encoding`` set from a UTF-16 or UTF-32 byte-order mark when the caller gave none.

    Read as UTF-8, such a file splits into stray NUL bytes and reports nonsense ("record 4 has 1 field").
    """
    if options.get("encoding"):
        return options
    with _open_binary(path, _compression(path, options)) as handle:
        start = handle.read(4) if handle is not None else b""
    for bom, encoding in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                          (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if start.startswith(bom):
            return {**options, "encoding": encoding}
    return options


def read_text(path: Path, **options) -> pd.DataFrame:
    """Read delimited text: delimiter and decimal mark found in the file unless given; see :func:`read_responses`."""
    options = sniff_text(path, options)
    refuse_duplicate_names(header_row(pd.read_csv, path, options, CSV_HEADER_OPTIONS), path,
                            "rename them in the file, or pass names=[...] with header=0 to name every column")
    df = _keep_leading_zeros(pd.read_csv(path, **options), path, options)
    if df.shape[1] == 1 and isinstance(df.columns[0], str):
        name = df.columns[0]
        found = [d for d in DELIMITERS if d in name]
        if found:
            raise DataError(
                f"{path}: read as one column named {name!r}, which holds {found[0]!r}; pass sep={found[0]!r} if "
                "that is the delimiter (or names=[...] with header=0 if the file really has one column)"
            )
        widths = {len(str(v).split()) for v in df[name].dropna()} | {len(name.split())}
        if len(widths) == 1 and widths.pop() > 1:  # every line, header included, splits evenly at spaces
            raise DataError(
                f"{path}: read as one column named {name!r}, but every line splits into {len(name.split())} fields "
                "at spaces; pass sep=r'\\s+' if spaces separate the columns (or names=[...] with header=0 if the "
                "file really has one column of text)"
            )
    return df


def read_excel(path: Path, **options) -> pd.DataFrame:
    """Read one Excel sheet, refusing repeated column names (pandas would rename the second ``nps.1``)."""
    refuse_duplicate_names(header_row(pd.read_excel, path, options, EXCEL_HEADER_OPTIONS), path,
                            "rename them in the sheet, or pass names=[...] with header=0 to name every column")
    return pd.read_excel(path, **options)


def read_parquet(path: Path, **options) -> pd.DataFrame:
    """Read Parquet, refusing repeated column names with a message naming them."""
    import pyarrow.parquet as pq

    refuse_duplicate_names(pq.read_schema(path).names, path, "rename them where the file is written")
    return pd.read_parquet(path, **options)
