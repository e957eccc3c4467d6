"""Survey-tool exports: Qualtrics and SurveyMonkey files, their header rows, question text and select-all sets.

A Qualtrics export (CSV, or the UTF-16 TSV download) has three header rows:
the column ids (``Q1``, ``Q5_3``), the question text, and a JSON
``{"ImportId": ...}`` object per column; its older layout has two (``V1``..
for the metadata, then the question text). A SurveyMonkey export (CSV or
Excel) has two: the question text above the first column of each question,
and ``Response``, ``Open-Ended Response`` or the option's label below. Read as
plain tables, the extra header rows become respondents and every column
text; here they become column names, labels and select-all sets, and the data
rows the respondents. :func:`cxstats.read_responses` is the public entry point.

The layouts follow Qualtrics, "Understanding Your Dataset" (support page,
section "File Format Basics": CSV and TSV files come with three header rows),
the public export samples of the qualtRics R package
(``tests/testthat/files/sample.csv``, ``sample_legacy.csv``), and
SurveyMonkey's "All responses data" export as public export files and the
monkeywrangler R package (``loadSurveyMonkeyXLS``) show it.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from ._tabular import LEADING_ZERO, refuse_duplicate_names, sniff_text
from ._validate import DataError

TOOLS = ("qualtrics", "surveymonkey", "plain")
PEEK = 60  # records read to recognise a layout
# Options a survey-tool export takes (the reader lays out the columns itself); others need source="plain".
EXPORT_OPTIONS = ("encoding", "sep", "delimiter", "sheet_name", "na_values", "compression")
SHAPING = ("header", "names", "skiprows")  # the caller lays out the rows: no layout is guessed
BLANK_WORDS = {"", "NA", "N/A", "n/a", "NaN", "nan", "null", "NULL", "#N/A"}  # empty in the sampled rows
MONKEY_SINGLE = {"", "Response", "Open-Ended Response"}  # second-row texts of a one-column question
MONKEY_META = {"Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
               "Last Name"}  # the metadata columns before the questions, with custom data ("Custom Data 1")
MONKEY_CUSTOM = re.compile(r"Custom Data( \d+)?")

QUALTRICS_DATES = {"startDate", "endDate", "recordedDate"}
QUALTRICS_DATE_NAMES = {"StartDate", "EndDate", "RecordedDate"}
MONKEY_DATES = {"Start Date", "End Date"}
QUALTRICS_STAMP = "%Y-%m-%d %H:%M:%S"
MONKEY_STAMP = "%m/%d/%Y %I:%M:%S %p"
TRUE_WORDS, FALSE_WORDS = {"1", "True", "true", "TRUE"}, {"0", "False", "false", "FALSE"}


# Records as text ---------------------------------------------------------------------------------------------------

def _cell_text(value) -> str:
    """An Excel cell as the text a CSV export would hold ("" when empty)."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | pd.Timestamp):
        return value.strftime(QUALTRICS_STAMP)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_records(path: Path, kind: str, options: dict, nrows=None) -> list[list[str]]:
    """The records of a delimited or Excel file (all, or the first ``nrows``), every cell as written."""
    if kind == "excel":
        frame = pd.read_excel(path, header=None, dtype=object, nrows=nrows, sheet_name=options.get("sheet_name", 0),
                              keep_default_na=False, na_filter=False)
        return [[_cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    given = {k: options[k] for k in ("encoding", "sep", "delimiter", "compression") if k in options}
    found = sniff_text(path, {**given, "decimal": "."})  # the delimiter and encoding; every cell stays text
    frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_filter=False, nrows=nrows,
                        sep=found.get("sep", found.get("delimiter", ",")), encoding=found.get("encoding"),
                        compression=found.get("compression", "infer"))
    return [["" if v is None else v for v in row] for row in frame.itertuples(index=False, name=None)]


# Recognising a layout ----------------------------------------------------------------------------------------------

def _import_id(cell: str):
    """The parsed ``{"ImportId": ...}`` object of a Qualtrics third-row cell, or None."""
    cell = cell.strip()
    if not (cell.startswith("{") and "ImportId" in cell):
        return None
    try:
        value = json.loads(cell)
    except ValueError:
        return None
    return value if isinstance(value, dict) and "ImportId" in value else None


def _import_ids(record) -> int:
    return sum(_import_id(cell) is not None for cell in record)


def _filled(record) -> int:
    return sum(bool(cell.strip()) for cell in record)


def _is_number(cell: str) -> bool:
    try:
        float(cell.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def _row_list(rows) -> str:
    return ", ".join(str(i + 1) for i in rows)


def _layout(records: list, path: Path) -> tuple[str, int]:
    """``(tool, header rows)`` of a file from its first records; anything half-recognised raises DataError.

    Qualtrics: ImportId objects across row 3 (3 header rows), or ``V1``,
    ``V2``.. above ``ResponseID`` and ``ResponseSet`` (2). SurveyMonkey:
    ``Respondent ID`` in row 1 with nothing below it in row 2 (2). Rows are
    counted from 1, the first line of the file being row 1.
    """
    found = []
    width = max((len(r) for r in records), default=0)
    ids = [_import_ids(r) for r in records[:5]]
    if len(records) > 2 and ids[2] * 2 >= _filled(records[2]) > 0:
        found.append(("qualtrics", 3))
    elif any(ids):
        row = next(i for i, k in enumerate(ids) if k)
        raise DataError(
            f"{path}: row {row + 1} holds Qualtrics ImportId objects ({ids[row]} of {width} columns); a Qualtrics "
            "export has them in row 3, under the column ids (row 1) and the question text (row 2). Restore the "
            "export's header rows, pass source='qualtrics' to read rows 1-2 as its header, or source='plain' with "
            "skiprows= to choose the rows yourself"
        )
    if len(records) > 1 and records[0][:2] == ["V1", "V2"] and {"ResponseID", "ResponseSet"} <= set(records[1]):
        found.append(("qualtrics", 2))
    if records and "Respondent ID" in records[0]:
        column = records[0].index("Respondent ID")
        if len(records) > 1 and not records[1][column].strip():
            found.append(("surveymonkey", 2))
        elif unnamed := [j + 1 for j, name in enumerate(records[0]) if not name.strip()
                         and any(j < len(r) and r[j].strip() for r in records[1:])]:
            raise DataError(
                f"{path}: row 1 names 'Respondent ID' and leaves column(s) {', '.join(map(str, unnamed[:8]))} "
                "(counting from 1) unnamed, as a SurveyMonkey export's first header row does, but row 2 holds "
                f"answers ({records[1][column]!r} under 'Respondent ID'), not the export's second header row "
                "('Response' or the options' labels). Restore that row, or pass source='plain' with names= to read "
                "row 1 as the only header"
            )
    if len(found) > 1:
        raise DataError(f"{path}: the header rows look like both a Qualtrics and a SurveyMonkey export; pass "
                        "source='qualtrics', source='surveymonkey' or source='plain'")
    if found:
        return found[0]
    extra = _header_like_rows(records)
    if extra:
        rows, column, text = extra
        raise DataError(
            f"{path}: rows {_row_list(rows)} (the first line of the file being row 1) look like header rows, not "
            f"respondents: in every column of numbers below them they hold text, e.g. {text!r} in column "
            f"{records[0][column]!r}. This is not a layout read_responses recognises (Qualtrics: column ids, question "
            "text, ImportId row; SurveyMonkey: question text, then 'Response' or the option labels). Pass "
            f"source='qualtrics' or source='surveymonkey' if it is such an export, skiprows={[r for r in rows]} to "
            "leave those rows out, or source='plain' to read every row as a respondent"
        )
    return "plain", 1


def _header_like_rows(records: list):
    """Rows 2-4 that hold text in every column whose other sampled rows are numbers (at least two such columns).

    Returns ``(rows, column, text)`` with the rows (0-based) and one example, or None.
    """
    body = records[4:]
    if not body or not records:
        return None
    width = len(records[0])
    numeric = [j for j in range(width)
               if all(j < len(r) and (_is_number(r[j]) or r[j].strip() in BLANK_WORDS) for r in body)
               and any(_is_number(r[j]) for r in body)]
    if not numeric:
        return None
    rows = []
    for i in (1, 2, 3):
        if all(j < len(records[i]) and records[i][j].strip() not in BLANK_WORDS and not _is_number(records[i][j])
               for j in numeric) and (len(numeric) > 1 or _labels_row(records[i], body)):
            rows.append(i)
        else:
            break
    return (rows, numeric[0], records[rows[0]][numeric[0]]) if rows else None


def _labels_row(record, body) -> bool:
    """With one column of numbers, a row reads as labels when every cell is filled and none is a value its column
    holds below (question text above answers)."""
    return all(cell.strip() and not any(j < len(r) and r[j] == cell for r in body) for j, cell in enumerate(record))


def _check_forced(records: list, path: Path, tool: str, header_rows: int) -> None:
    """With ``source=`` forced, the rows taken as header rows must look like header rows, and the first respondent
    like a respondent (DataError naming the row otherwise)."""
    if len(records) > header_rows and _import_ids(records[header_rows]):
        raise DataError(f"{path}: row {header_rows + 1} holds Qualtrics ImportId objects, so it is a header row, "
                        f"not a respondent: this is not a {tool} export with {header_rows} header rows (a Qualtrics "
                        "export has the ImportId row as row 3); pass source='qualtrics' or leave source= out")
    body = records[header_rows:header_rows + PEEK]
    width = max((len(r) for r in records), default=0)
    numeric = [j for j in range(width)
               if all(j < len(r) and (_is_number(r[j]) or r[j].strip() in BLANK_WORDS) for r in body)
               and any(_is_number(r[j]) for r in body)]
    for i in range(1, header_rows):
        numbers = [j for j in numeric if j < len(records[i]) and _is_number(records[i][j])]
        if numbers:
            j = numbers[0]
            raise DataError(f"{path}: row {i + 1} would be a header row of a {tool} export, but it holds numbers as "
                            f"the respondents below it do ({records[i][j]!r} in column {records[0][j]!r}): it looks "
                            f"like a respondent. Leave source= out to recognise the layout, or pass source='plain'")


def check_export_options(source, options: dict) -> None:
    """With ``source="qualtrics"`` or ``"surveymonkey"``, only the options such an export takes (ValueError)."""
    if source in (None, "plain"):
        return
    shaping = [name for name in options if name not in EXPORT_OPTIONS]
    if shaping:
        raise ValueError(f"{', '.join(shaping)} cannot be used with source={source!r}, which lays out the "
                         f"columns itself (options it takes: {', '.join(EXPORT_OPTIONS)}); use source='plain' to "
                         "pass pandas options")
    if isinstance(options.get("na_values"), dict):
        raise ValueError("na_values= for a survey-tool export is one list for every column, not a dict")


def detect(path: Path, kind: str, options: dict, source) -> tuple[str, int]:
    """The tool and number of header rows of a delimited or Excel file: from ``source=``, or from its first rows."""
    if source == "plain" or (source is None and any(name in options for name in SHAPING)):
        return "plain", 1
    try:
        records = read_records(path, kind, options, nrows=PEEK)
    except Exception:  # noqa: BLE001 - not a survey tool's table: the plain reader reports what is wrong
        if source is None:
            return "plain", 1
        raise
    if source in ("surveymonkey", "qualtrics"):
        rows = 3 if source == "qualtrics" and len(records) > 2 and _import_ids(records[2]) else 2
        _check_forced(records, path, source, rows)
        return source, rows
    tool, rows = _layout(records, path)
    if tool != "plain":
        given = [name for name in options if name not in EXPORT_OPTIONS]
        if given or isinstance(options.get("na_values"), dict):
            given = given or ["na_values= as a dict"]
            raise ValueError(f"{path} is a {tool} export, read with its own layout; {', '.join(given)} cannot be "
                             f"used with it (options it takes: {', '.join(EXPORT_OPTIONS)}); pass source='plain' to "
                             "read it as a plain table with pandas options")
    return tool, rows


# Select-all columns ----------------------------------------------------------------------------------------------

def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or \
        (isinstance(value, str) and not value.strip())


def _number(value):
    """A value as a float when it is a number or a numeric string, else None."""
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, int | float | np.number):
        return float(value)
    if isinstance(value, str) and _is_number(value) and "," not in value:
        return float(value)
    return None


ANY = "any"  # counted="any": any non-blank answer marks a tick (SurveyMonkey's "Other (please specify)" text)


def _shown(values) -> list:
    """Up to 8 distinct answers as text, whole numbers without ``.0`` (``1``, not ``1.0``)."""
    out = set()
    for v in values:
        if _blank(v):
            continue
        number = _number(v)
        out.add(str(int(number)) if number is not None and not isinstance(v, str) and number.is_integer() else str(v))
    return sorted(out)[:8]


def tick_values(values, column, label=None, counted=None, strict=False) -> np.ndarray:
    """1 (ticked), 0 (not ticked) or NaN (blank) for each distinct answer ``values`` of one select-all option column.

    Blank (missing or whitespace) is NaN: the caller decides whether it means
    "not ticked" (a set whose unticked options are left blank) or a missing
    answer (a set that writes 0 or another value for "not ticked"). With
    ``counted``, that value is ticked and every other value is not (an SPSS
    dichotomy set); ``counted="any"`` ticks every non-blank answer (typed
    text). Otherwise the answers must be 0/1 (or True/False), or one value
    that marks a tick (the option's label, 1, or a code) and blanks; with
    ``strict``, that value must be the option's ``label`` or 1. Anything else
    raises ValueError naming the column and its answers.
    """
    values = list(values)
    blank = np.array([_blank(v) for v in values], dtype=bool)
    if isinstance(counted, str) and counted == ANY:
        return np.where(blank, np.nan, 1.0)
    if counted is not None:
        target = _number(counted)
        out = np.array([float(v == counted or (target is not None and _number(v) == target)) for v in values])
        given = [v for v in values if not _blank(v)]
        comparable = [v for v in given if (_number(v) is not None) == (target is not None)]
        if given and not out[~blank].any() and not comparable:
            raise ValueError(f"counted={counted!r} matches none of column {column!r}'s answers "
                             f"{_shown(given)}; give the value that marks a tick as it is in the data")
        return np.where(blank, np.nan, out)
    out = np.where(blank, np.nan, 0.0)
    marks = {}
    for i, v in enumerate(values):
        if blank[i]:
            continue
        number = _number(v)
        if number in (0.0, 1.0):
            out[i] = number
            if number == 1.0:
                marks.setdefault(1.0, v)
        else:
            marks.setdefault(v, v)
            out[i] = 1.0
    zeros = any(_number(v) == 0.0 for v in values if not _blank(v))
    other = [v for k, v in marks.items() if k != 1.0]
    if len(marks) > 1 or (other and zeros):
        raise ValueError(f"column {column!r} is not a select-all option: a ticked option holds one value (its label "
                         f"or 1) and an unticked one is blank or 0, but it has {_shown(values)} (give counted= the "
                         f"value that marks a tick, or counted={ANY!r} to count any answer as a tick)")
    if strict and other and other[0] != label:
        raise ValueError(f"column {column!r} holds {other[0]!r}, not its option label {label!r} or 1")
    return out


def _typed_text(values) -> bool:
    """Whether every non-blank answer is text that is not a number (an "Other (please specify)" column)."""
    given = [v for v in values if not _blank(v)]
    return bool(given) and all(isinstance(v, str) and _number(v) is None for v in given)


def option_labels(texts: list) -> list:
    """The options' labels from the question texts of a select-all question's columns ("question - option")."""
    if all(" - Selected Choice - " in t for t in texts):
        return [t.rsplit(" - Selected Choice - ", 1)[1].strip() for t in texts]
    prefix = os.path.commonprefix(texts) if len(texts) > 1 else ""
    cut = prefix.rfind("-")
    return [t[cut + 1:].strip(" -") or t if cut >= 0 else t for t in texts]


def _as_set(frame: pd.DataFrame, columns: list, labels: dict, strict: bool, tool: str, name: str):
    """The select-all set of a question's columns: ``(columns, rules, left)``, or None when it is not one.

    A question is a select-all set when more than half of its columns (two at
    least) hold select-all answers (see :func:`tick_values`). A SurveyMonkey
    column holding typed text (its "Other (please specify)" option) is ticked
    by any answer (rule ``"any"``). Every column stays in the set: one whose
    answers are not select-all answers is listed, with the reason, in
    ``left``, so :func:`cxstats.multiple_response` raises on it rather than
    a share being computed without it.
    """
    good, rules, left = [], {}, {}
    for column in columns:
        values = pd.unique(frame[column])
        try:
            tick_values(values, column, labels.get(column), strict=strict)
        except ValueError as err:
            if tool == "surveymonkey" and _typed_text(values):
                rules[column] = ANY
                continue
            left[column] = str(err)
            continue
        good.append(column)
    if len(good) < 2 or len(good) + len(rules) <= len(columns) / 2:
        return None
    if left:
        warnings.warn(f"select-all question {name!r}: {'; '.join(left.values())}. The set lists every column, so "
                      "multiple_response raises on it until counted= says which value marks a tick",
                      UserWarning, stacklevel=4)
    return list(columns), rules, left


# Typing the data columns ------------------------------------------------------------------------------------------

def _typed(texts: pd.Series, extra_na) -> tuple[pd.Series, pd.Series]:
    """A column of text cells as numbers when every non-empty cell is a number (and none is written with a leading
    zero, like ``007``), else as text; empty and whitespace-only cells are missing. Returns the column and the
    whitespace-only cells (to count them)."""
    stripped = texts.str.strip()
    spaces = (texts != "") & (stripped == "")
    missing = (stripped == "") | texts.isin(extra_na)
    present = stripped[~missing]
    numbers = pd.to_numeric(present, errors="coerce")
    if present.size and numbers.notna().all() and not present.str.match(LEADING_ZERO).any():
        out = pd.Series(np.nan, index=texts.index)
        out[~missing] = numbers.astype(float)
        if not missing.any() and (out % 1 == 0).all() and (out.abs() < 2**53).all():
            out = out.astype("int64")
        return out, spaces
    return texts.where(~missing).astype("str"), spaces


def _dates(values: pd.Series, stamp: str) -> pd.Series:
    """Date-times in the tool's own format (or ISO 8601, as an Excel cell reads); unchanged if any does not parse."""
    present = values.notna()
    for form in (stamp, "ISO8601"):
        parsed = pd.to_datetime(values, format=form, errors="coerce")
        if not (present & parsed.isna()).any():
            return parsed
    return values


def _boolean(values: pd.Series) -> pd.Series:
    """Qualtrics' Finished (1/0, True/False) as booleans; unchanged if it holds anything else."""
    given = values.dropna()
    if pd.api.types.is_numeric_dtype(values):
        if not given.isin([0, 1]).all():
            return values
        out = values == 1
    elif given.astype(str).isin(TRUE_WORDS | FALSE_WORDS).all():
        out = values.astype(str).isin(TRUE_WORDS)
    else:
        return values
    return out.astype("boolean").where(values.notna(), pd.NA) if values.isna().any() else out.astype(bool)


# Reading ---------------------------------------------------------------------------------------------------------

def _monkey_names(top: list, below: list) -> tuple[list, dict, dict, dict]:
    """Short unique names for a SurveyMonkey export (``Q1``, ``Q5_3``; metadata in snake case), each column's
    full text (question, and option when there is one), its option label, and the questions' columns."""
    names, labels, options, questions = [], {}, {}, {}
    question, number, members = "", 0, []
    for top_text, below_text in zip(top, below, strict=True):
        top_text, below_text = top_text.strip(), below_text.strip()
        if number == 0 and not below_text and (top_text in MONKEY_META or MONKEY_CUSTOM.fullmatch(top_text)):
            name = re.sub(r"\W+", "_", top_text.lower()).strip("_") or f"column{len(names) + 1}"
            names.append(name)
            labels[name] = top_text
            continue
        if top_text:
            number += 1
            question, members = top_text, []
            questions[f"Q{number}"] = members
        if not question:
            raise DataError("a column has no question text above it or on its left")
        members.append(len(names))
        names.append(f"Q{number}")
        labels[len(names) - 1] = (question, below_text)
    for name, positions in questions.items():
        for k, position in enumerate(positions, start=1):
            short = name if len(positions) == 1 else f"{name}_{k}"
            question, option = labels.pop(position)
            names[position] = short
            labels[short] = question if option in MONKEY_SINGLE else f"{question} - {option}"
            if option not in MONKEY_SINGLE:
                options[short] = option
        questions[name] = [names[p] for p in positions]
    return names, labels, options, questions


def read_export(path: Path, kind: str, tool: str, header_rows: int, options: dict) -> tuple[pd.DataFrame, dict]:
    """Read a Qualtrics or SurveyMonkey export: the frame (attrs set) and the whitespace-only cells per column."""
    records = read_records(path, kind, options)
    if len(records) < header_rows:
        raise DataError(f"{path}: has {len(records)} row(s), fewer than the {header_rows} header rows of a {tool} "
                        "export")
    width = max(len(r) for r in records)
    records = [r + [""] * (width - len(r)) for r in records]
    header, data = records[:header_rows], records[header_rows:]
    frame = pd.DataFrame(data, columns=range(width), dtype="str") if data else \
        pd.DataFrame({j: pd.Series([], dtype="str") for j in range(width)})
    empty = [j for j in range(width) if not any(h[j].strip() for h in header) and not (frame[j] != "").any()]
    keep = [j for j in range(width) if j not in empty]  # a trailing delimiter's empty column
    header = [[h[j] for j in keep] for h in header]
    frame = frame[keep]
    attrs = {"source": tool}
    if tool == "surveymonkey":
        try:
            names, labels, option_text, questions = _monkey_names(header[0], header[1])
        except DataError as err:
            raise DataError(f"{path}: {err}") from None
    else:
        names, texts = header[0], header[1]
        names = _legacy_names(names, texts)
        labels = dict(zip(names, texts, strict=True))
        option_text, questions = {}, {}
        if header_rows == 3:
            attrs["import_ids"] = {name: _import_id(cell) for name, cell in zip(names, header[2], strict=True)}
    unnamed = [j + 1 for j, name in zip(keep, names, strict=True) if not str(name).strip()]
    if unnamed:
        raise DataError(f"{path}: column(s) {', '.join(map(str, unnamed))} (counting from 1) have no name in the "
                        "first header row but hold answers; name them in the file or pass source='plain'")
    refuse_duplicate_names(names, path, "rename them in the survey tool (export tags) or in the file")
    frame.columns = names
    extra_na = set(_as_list(options.get("na_values")))
    spaces = {}
    for name in names:
        texts = frame[name]
        frame[name], blank = _typed(texts, extra_na)
        if blank.any():
            spaces[name] = texts[blank]
    attrs.update(_metadata_types(frame, tool, attrs.get("import_ids")))
    sets = _sets(frame, tool, attrs.get("import_ids"), labels, option_text, questions)
    attrs["column_labels"] = {name: labels.get(name) for name in names}
    attrs["option_labels"] = {**option_text, **sets.pop("__options__")}
    attrs["multiple_response_counted"] = sets.pop("__rules__")
    left = sets.pop("__left__")
    if left:
        attrs["multiple_response_unread"] = left
    attrs["multiple_response_sets"] = sets
    frame.attrs.update(attrs)
    return frame, spaces


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _legacy_names(names: list, texts: list) -> list:
    """Qualtrics' older layout names its metadata ``V1``, ``V2``..: those take their second-row name (``ResponseID``,
    ``StartDate``), which is an identifier, when that name is not taken."""
    if names[:2] != ["V1", "V2"]:
        return list(names)
    taken = set(names)
    out = []
    for name, text in zip(names, texts, strict=True):
        if re.fullmatch(r"V\d+", name) and re.fullmatch(r"[A-Za-z]\w*", text.strip()) and text.strip() not in taken:
            taken.add(text.strip())
            name = text.strip()
        out.append(name)
    return out


def _metadata_types(frame: pd.DataFrame, tool: str, import_ids) -> dict:
    """Dates as date-times and Qualtrics' Finished as booleans; returns attrs (Qualtrics' time zones)."""
    zones = {}
    for name in frame.columns:
        obj = (import_ids or {}).get(name) or {}
        if tool == "surveymonkey":
            if name in {"start_date", "end_date"}:
                frame[name] = _dates(frame[name], MONKEY_STAMP)
            continue
        if obj.get("ImportId") in QUALTRICS_DATES or (not import_ids and name in QUALTRICS_DATE_NAMES):
            frame[name] = _dates(frame[name], QUALTRICS_STAMP)
            if "timeZone" in obj:
                zones[name] = obj["timeZone"]
        elif obj.get("ImportId") == "finished" or (not import_ids and name == "Finished"):
            frame[name] = _boolean(frame[name])
    return {"time_zones": zones} if zones else {}


def _sets(frame, tool, import_ids, labels, option_text, questions) -> dict:
    """The select-all questions: ``{question: [columns]}``, and (under ``"__options__"``) their option labels."""
    groups = {}
    if tool == "surveymonkey":
        for name, members in questions.items():
            if len(members) > 1:
                groups[name] = members
    elif import_ids:  # split multi-value fields: one ImportId with a choiceId per option
        by_id = {}
        for name, obj in import_ids.items():
            if obj and "choiceId" in obj and not str(obj["ImportId"]).endswith("_DO"):
                by_id.setdefault(obj["ImportId"], []).append(name)
        for import_id, members in by_id.items():
            stems = {m.rsplit("_", 1)[0] for m in members}
            groups[stems.pop() if len(stems) == 1 else import_id] = members
    else:  # Q5_1, Q5_2, ... next to each other
        stems = {}
        for name in frame.columns:
            match = re.fullmatch(r"(.+)_(\d+)", str(name))
            if match:
                stems.setdefault(match.group(1), []).append(name)
        groups = {stem: members for stem, members in stems.items() if len(members) > 1}
    sets, options, rules, left = {}, {}, {}, {}
    for name, members in groups.items():
        if tool == "surveymonkey":
            found = {m: option_text.get(m) for m in members}
        else:
            found = dict(zip(members, option_labels([labels[m] for m in members]), strict=True))
        got = _as_set(frame, members, found, tool == "surveymonkey" or not import_ids, tool, name)
        if got:
            sets[name], rule, unread = got
            options.update({m: found[m] for m in members if found[m] is not None})
            if rule:
                rules[name] = rule
            if unread:
                left[name] = unread
    return {**sets, "__options__": options, "__rules__": rules, "__left__": left}
