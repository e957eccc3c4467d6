"""Read respondent-level survey files: CSV, Parquet, SPSS, Stata and Excel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._exports import TOOLS, check_export_options, detect, read_export
from ._provenance import note_read
from ._tabular import read_excel, read_parquet, read_text, refuse_duplicate_names
from ._validate import DataError

READERS = {
    ".csv": "csv", ".txt": "csv", ".tsv": "csv",
    ".parquet": "parquet", ".pq": "parquet",
    ".sav": "spss", ".zsav": "spss",
    ".dta": "stata",
    ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel",
}


COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")


# Options of pyreadstat.read_sav/read_dta that this module sets itself: value codes are the data.
CONTROLLED = ("apply_value_formats", "formats_as_category", "formats_as_ordered_category")

MEASURES = ("nominal", "ordinal", "scale")


def _number(value):
    """A code as a plain Python value: a whole number as ``int``, other numbers as ``float``, text as is."""
    if isinstance(value, str):
        return value
    value = float(value)
    return int(value) if value.is_integer() else value


def _code_text(code) -> str:
    """How an unlabelled code is shown as a category: ``3`` for 3.0, ``2.5``, or the text itself."""
    return code if isinstance(code, str) else str(_number(code))


def _whole_numbers_as_int(df: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns that hold only whole numbers and no missing values become int64 (same numbers)."""
    for column in df.columns:
        values = df[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if values.dtype.kind == "i" or (values.dtype.kind == "u" and values.dtype.itemsize < 8):
            df[column] = values.astype("int64")
            continue
        if values.dtype.kind != "f":
            continue
        array = values.to_numpy(dtype=float)
        if array.size and np.isfinite(array).all() and (np.abs(array) < 2**53).all() and (array % 1 == 0).all():
            df[column] = values.astype("int64")
    return df


def _labelled_categorical(values: pd.Series, labels: dict, path: Path, column) -> pd.Categorical:
    """An ordered categorical of ``values`` in code order, shown by label (or the code as text).

    The categories are every declared code, sorted by code (the caller checks
    that every observed code has a label). Two codes that would be shown by the same text raise
    :class:`DataError` rather than merging into one answer.
    """
    observed = {_number(x) for x in values.dropna().unique()}
    codes = sorted(set(labels) | observed, key=lambda code: (isinstance(code, str), code))  # numbers, then text
    texts = [labels.get(code, _code_text(code)) for code in codes]
    shown = {}
    for code, text in zip(codes, texts, strict=True):
        shown.setdefault(text, []).append(code)
    clashes = {text: found for text, found in shown.items() if len(found) > 1}
    if clashes:
        detail = "; ".join(
            f"codes {', '.join(map(repr, found))} are all shown as {text!r}" for text, found in clashes.items()
        )
        raise DataError(
            f"{path}: column {column!r}: {detail}; they would merge into one category. "
            "Read without categorical= for this column (the codes are the data) or give the codes distinct labels."
        )
    mapping = dict(zip(codes, texts, strict=True))
    return pd.Categorical(values.map(mapping), categories=texts, ordered=True)


def _unlabelled_answers(values: pd.Series, labels: dict) -> list:
    """Observed codes without a label (a scale labelled only at its ends, for example)."""
    return sorted({_number(x) for x in values.dropna().unique()} - set(labels), key=lambda c: (isinstance(c, str), c))


def _columns_to_convert(categorical, value_labels: dict, df: pd.DataFrame, path: Path) -> list:
    """The columns named by ``categorical=`` (True: every fully labelled column), each present and labelled.

    A column with answers that have no label (an NPS item labelled only at 0
    and 10) stays as codes: as a categorical its unlabelled answers would be
    placed by position, not by value. Named explicitly, it is an error.
    """
    columns = df.columns
    if categorical is True or categorical is False:
        return [c for c in value_labels if not _unlabelled_answers(df[c], value_labels[c])] if categorical else []
    names = categorical
    missing = [name for name in names if name not in columns]
    if missing:
        raise ValueError(f"categorical= names columns not in {path}: {', '.join(map(repr, missing))}")
    unlabelled = [name for name in names if name not in value_labels]
    if unlabelled:
        raise ValueError(
            f"categorical= names columns without value labels in {path}: {', '.join(map(repr, unlabelled))}; "
            f"labelled columns: {', '.join(map(repr, value_labels)) or '(none)'}"
        )
    for name in names:
        if unlabelled := _unlabelled_answers(df[name], value_labels[name]):
            raise ValueError(
                f"categorical= names {name!r} in {path}, which has answers without a label ({unlabelled[:8]}); as a "
                "categorical they would be placed by position, not by value. Read its codes (the default) and "
                "give scale= where a function needs the order"
            )
    return names


class _RowCodes(tuple):
    """``(row, code)`` pairs of answers read as missing.

    pandas deep-copies ``df.attrs`` on every operation; this tuple is immutable, so the copy shares it instead of
    rebuilding one pair per missing answer each time.
    """

    def __deepcopy__(self, memo):
        return self


def _declared_missing(meta, reader: str, columns) -> dict:
    """Missing codes per column: SPSS codes as values and ranges as ``(low, high)``; Stata ``".a"`` to ``".z"``."""
    if reader == "read_dta":  # Stata declares none: these are the extended missing values found in the data
        return {column: [f".{letter}" for letter in letters]
                for column, letters in (meta.missing_user_values or {}).items() if column in columns}
    return {
        column: [_number(r["lo"]) if r["lo"] == r["hi"] else (_number(r["lo"]), _number(r["hi"])) for r in ranges]
        for column, ranges in (meta.missing_ranges or {}).items()
        if column in columns
    }


def _is_missing_code(code, codes: list) -> bool:
    """Whether ``code`` is one of the declared ``codes`` or inside one of their ``(low, high)`` ranges."""
    return any(
        (not isinstance(code, str) and declared[0] <= code <= declared[1]) if isinstance(declared, tuple)
        else code == declared or (isinstance(code, str) and declared == "." + code)  # Stata labels .a under "a"
        for declared in codes
    )


def _missing_mask(values: pd.Series, codes: list) -> np.ndarray:
    """True where ``values`` hold one of the declared ``codes`` or lie inside one of their ``(low, high)`` ranges."""
    mask = values.isin([code for code in codes if not isinstance(code, tuple)]).to_numpy(dtype=bool)
    for low, high in (code for code in codes if isinstance(code, tuple)):  # ranges exist for numeric columns only
        mask = mask | values.between(low, high).to_numpy(dtype=bool)
    return mask


def _read_labelled(path: Path, reader: str, **options):
    """Read SPSS or Stata with pyreadstat: value codes as the data, declared missing codes as NaN.

    Returns the frame, pyreadstat's metadata, the declared missing codes per column and, per such column, the
    answers read as missing: a Series of their codes indexed by row.
    """
    import pyreadstat

    for name in CONTROLLED:
        options[name] = False
    read = getattr(pyreadstat, reader)
    df, meta = read(str(path), user_missing=True, **options)
    declared = _declared_missing(meta, reader, df.columns)
    found = {}
    if reader == "read_dta" and declared:
        # .a-.z come as their letter; pyreadstat then also reads '.' in integer columns as 0, so the numbers
        # of these columns come from a second read without user_missing
        plain, _ = read(str(path), **{**options, "usecols": list(declared)})
        for column in declared:
            letters = df[column].notna() & pd.to_numeric(df[column], errors="coerce").isna()
            found[column] = "." + df.loc[letters, column].astype(str)
            df[column] = pd.to_numeric(plain[column]).to_numpy()
    else:
        for column, codes in declared.items():
            tagged = _missing_mask(df[column], codes)
            found[column] = df.loc[tagged, column]
            df.loc[tagged, column] = np.nan
    return df, meta, declared, found


def _with_metadata(df: pd.DataFrame, meta, declared: dict, found: dict, path: Path, categorical) -> pd.DataFrame:
    """Codes stay the data; labels, variable labels, measurement levels and missing codes go into ``df.attrs``."""
    df = _whole_numbers_as_int(df)
    value_labels = {
        column: {_number(code): label for code, label in labels.items()}
        for column, labels in (meta.variable_value_labels or {}).items()
        if column in df.columns
    }
    answer_labels = {  # missing codes are not answers, so not categories
        column: {code: label for code, label in labels.items() if not _is_missing_code(code, declared.get(column, []))}
        for column, labels in value_labels.items()
    }
    for column in _columns_to_convert(categorical, answer_labels, df, path):
        df[column] = _labelled_categorical(df[column], answer_labels[column], path, column)
    df.attrs["column_labels"] = dict(zip(meta.column_names, meta.column_labels, strict=True))
    df.attrs["value_labels"] = value_labels
    df.attrs["measure"] = {
        column: level
        for column, level in (getattr(meta, "variable_measure", None) or {}).items()
        if column in df.columns and level in MEASURES
    }
    df.attrs.update(_missing_report(declared, found))
    sets = {name: [c for c in spec["variable_list"] if c in df.columns]
            for name, spec in (getattr(meta, "mr_sets", None) or {}).items() if spec.get("type") == "D"}
    sets = {name: columns for name, columns in sets.items() if len(columns) > 1}
    df.attrs["multiple_response_sets"] = sets
    df.attrs["multiple_response_counted"] = {name: _number(meta.mr_sets[name]["counted_value"]) for name in sets
                                             if meta.mr_sets[name].get("counted_value") is not None}
    return df


def _missing_report(codes: dict, found: dict) -> dict:
    """The attrs that report answers read as missing: codes per column, how many, and each one's row and code."""
    return {
        "missing_codes": codes,
        "missing_counts": {column: len(values) for column, values in found.items()},
        "user_missing": {column: _RowCodes(zip(values.index.tolist(), map(_number, values), strict=True))
                         for column, values in found.items()},
    }


def _whitespace(values: pd.Series) -> pd.Series:
    """True where a cell is text made only of spaces, tabs or other whitespace."""
    if values.dtype.kind not in "OU" and not pd.api.types.is_string_dtype(values.dtype):
        return pd.Series(False, index=values.index)
    return values.map(lambda v: isinstance(v, str) and v != "" and v.isspace()).astype(bool)


def _na_with(na_values, columns, blanks: dict) -> dict:
    """``na_values=`` as a per-column dict that also holds each column's whitespace-only cells as written."""
    if isinstance(na_values, dict):
        out = {column: list(_listed(values)) for column, values in na_values.items()}
    else:
        listed = list(_listed(na_values))
        out = {column: list(listed) for column in columns} if listed else {}
    for column, texts in blanks.items():
        out[column] = out.get(column, []) + list(texts)
    return out


def _listed(values):
    return [] if values is None else [values] if isinstance(values, str) else values


def _read_text_blanks(path: Path, **options):
    """Delimited text with whitespace-only cells read as missing (so a column of numbers stays numbers).

    The file is read again with those cells as ``na_values`` (only when it has any), so the delimiter, decimal
    mark and leading-zero rules apply to the rest as usual. Returns the frame and the cells found per column.
    """
    df = read_text(path, **options)
    if options.get("na_filter", True) is False:
        return df, {}
    found = {column: df.loc[mask, column] for column in df.columns if (mask := _whitespace(df[column])).any()}
    if found:
        blanks = {column: sorted(set(values)) for column, values in found.items()}
        df = read_text(path, **{**options, "na_values": _na_with(options.get("na_values"), df.columns, blanks)})
    return df, found


def _read_excel_blanks(path: Path, **options):
    """An Excel sheet with whitespace-only cells read as missing; a column of numbers and such cells becomes
    numeric. Returns the frame and the cells found per column."""
    df = read_excel(path, **options)
    found = {}
    for column in df.columns:
        mask = _whitespace(df[column])
        if not mask.any():
            continue
        found[column] = df.loc[mask, column]
        values = df[column].mask(mask)
        rest = values.dropna()
        if rest.size and rest.map(lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool)).all():
            values = pd.to_numeric(values)
        df[column] = values
    return df, found


def _check_options(kind: str, categorical, options: dict):
    """Reject options this module controls; return ``categorical`` as True, False or a list of names."""
    if kind in ("spss", "stata"):
        controlled = [name for name in CONTROLLED if name in options]
        if controlled:
            raise ValueError(
                f"{', '.join(controlled)} cannot be passed to read_responses: value codes are read as the data; "
                "use categorical=True (or a list of columns) for labelled ordered categoricals"
            )
        if "user_missing" in options:
            raise ValueError(
                "user_missing cannot be passed to read_responses: declared missing codes are always read as missing "
                "(NaN), and df.attrs keeps the codes ('missing_codes') and each answer's code ('user_missing')"
            )
        if options.get("output_format") not in (None, "pandas"):
            raise ValueError(f"output_format={options['output_format']!r} is not supported; read_responses returns "
                             "a pandas DataFrame")
        if categorical is None:
            return False
        if isinstance(categorical, bool):
            return categorical
        if isinstance(categorical, str):
            return [categorical]
        try:
            categorical = list(categorical)
        except TypeError:
            raise ValueError(
                f"categorical={categorical!r} is not valid; use True, False or a list of column names"
            ) from None
        if not all(isinstance(name, str) for name in categorical):
            raise ValueError(f"categorical={categorical!r} is not valid; column names must be strings")
        return categorical
    if categorical is not None and categorical is not False:
        raise ValueError("categorical= applies to SPSS (.sav, .zsav) and Stata (.dta) files, which hold value labels")
    if kind == "csv" and (options.get("chunksize") or options.get("iterator")):
        raise ValueError("chunksize= and iterator= are not supported: read_responses returns one DataFrame")
    if kind == "excel" and not isinstance(options.get("sheet_name", 0), str | int):
        raise ValueError(f"sheet_name={options['sheet_name']!r} is not valid: read_responses reads one sheet; "
                         "give its name or position")
    return False


def read_responses(path, categorical=False, *, source=None, **options) -> pd.DataFrame:
    """Read a respondent-level survey file into a DataFrame, one row per respondent.

    The format follows the file ending: ``.csv``/``.tsv``/``.txt`` (pandas;
    also compressed, e.g. ``.csv.gz``), ``.parquet``, ``.sav``/``.zsav``
    (SPSS), ``.dta`` (Stata), ``.xlsx``/``.xls`` (Excel).

    Delimited text is read as written. Unless ``sep=`` is given, the
    delimiter is the one of ``,`` ``;`` tab ``|`` that splits the header and
    the first 200 lines evenly (a ``.tsv`` file is tab-delimited). When it is
    not a comma and ``decimal=`` is not given, a comma between digits is the
    decimal mark if every number-like field of some column is written that
    way (``4,5``) and no column uses a point. A column read as numbers in
    which any value has a leading zero followed by more digits (``007``, an
    identifier) is kept as text, every value as written. ``dtype=``,
    ``converters=``, ``na_values=`` and ``keep_default_na=`` reach pandas as
    given and win over all of this. A cell holding only whitespace (SPSS's
    "Save as CSV" writes a blank answer as one space) is missing, in text
    and Excel files alike, so a column of numbers with such blanks stays
    numbers; these cells are counted in ``df.attrs`` as missing codes are.

    **Survey-tool exports** are recognised from their header rows (unless
    ``source=`` says otherwise, or ``header=``, ``names=`` or ``skiprows=``
    lay out the rows): a Qualtrics export (CSV with or without a byte-order
    mark, or the UTF-16 TSV download) has three header rows, the column ids
    (``Q1``, ``Q5_3``), the question text and ``{"ImportId": ...}``
    objects, or, in its older layout, two (``V1``, ``V2``.. above
    ``ResponseID``, then the question text); a SurveyMonkey export (CSV or
    Excel) has two, the question text above each question's first column
    and ``Response`` or the option's label below. The data rows are the
    respondents and each column is typed from them (numbers as numbers, a
    value like ``007`` kept as text); the column names are Qualtrics' ids
    (its older layout's ``V1``.. take the second row's names, such as
    ``ResponseID``) or, for SurveyMonkey, short unique names derived from the
    header rows: its metadata in snake case (``respondent_id``,
    ``start_date``) and the questions numbered in order, ``Q1``, ``Q2``, with
    ``Q5_1``, ``Q5_2``.. for the columns of one question. Dates become
    date-times and Qualtrics' ``Finished`` a boolean. Select-all questions
    (one column per option; Qualtrics marks them with a ``choiceId`` in the
    ImportId row) are listed as sets for :func:`cxstats.multiple_response`
    and :func:`cxstats.crosstab`. Rows 2-4 that hold text in every column of
    numbers below them, in a file that is neither, are an error naming the
    rows, never respondents.

    SPSS and Stata files are read with each variable's value **codes** as the
    data and its value labels as metadata: a 0-10 recommendation item labelled
    only at 0 and 10 stays 0..10 and a 1-5 agreement item stays 1..5,
    whichever values were observed. Functions such as :func:`cxstats.nps`
    therefore score the answers by their values, never by their position
    among the observed categories. Labelled ordered categoricals are
    available on request with ``categorical=``. Codes declared missing
    (SPSS user-missing values such as 99 "Don't know", Stata's ``.a`` to
    ``.z``) are read as missing; the codes stay in ``df.attrs`` (see Returns).

    Parameters
    ----------
    path : str or path-like
        The file to read.
    categorical : bool, str or list of str, default False
        SPSS and Stata only. ``True`` turns every column whose answers all
        have value labels into an ordered :class:`pandas.Categorical`; a
        column with unlabelled answers (a 0-10 item labelled only at its ends)
        keeps its codes, since as a categorical those answers would be placed
        by position. A column name or a list of names turns only those (each
        must have value labels for every answer given). The categories are
        all declared codes except missing codes, sorted by code (never by
        order of appearance), each shown by its label, so labelled answers
        nobody gave are still categories. Text labels carry order, not
        values: functions that average need ``scale=`` for them.
    source : {"qualtrics", "surveymonkey", "plain"}, optional
        Delimited text and Excel only: read the file as that tool's export,
        or (``"plain"``) as a table with one header row, whatever its header
        rows look like. By default a survey tool's export is recognised from
        its header rows. An export takes the options ``encoding``, ``sep``,
        ``sheet_name``, ``na_values`` (one list) and ``compression``.
    **options
        Passed to the underlying reader (``pandas.read_csv``,
        ``pandas.read_parquet``, ``pyreadstat.read_sav``/``read_dta``,
        ``pandas.read_excel``), e.g. ``sep=";"``, ``decimal=","``,
        ``dtype={"store_id": str}``, ``na_values=["n/a"]``,
        ``sheet_name="wave2"`` or ``usecols=["nps"]``. For SPSS and Stata,
        ``apply_value_formats``, ``formats_as_category``,
        ``formats_as_ordered_category`` and ``user_missing`` are set by this
        function (use ``categorical=`` instead of the first three).

    Returns
    -------
    pandas.DataFrame
        One row per respondent. For SPSS and Stata, numeric columns holding
        only whole numbers and no missing values are ``int64``, other numeric
        columns keep pyreadstat's float type (missing values are ``NaN``);
        the numbers are those stored in the file. ``df.attrs`` then holds

        - ``"column_labels"``: ``{column: variable label or None}``;
        - ``"value_labels"``: ``{column: {code: label}}`` for every column
          with value labels, all declared labels whether observed or not
          (whole-number codes as ``int``), missing codes' labels included;
        - ``"measure"``: ``{column: "nominal" | "ordinal" | "scale"}``, the
          SPSS measurement level where the file declares one (empty for
          Stata, which has none);
        - ``"missing_codes"``: ``{column: [code, ...]}``, the SPSS codes
          declared missing (a range as ``(low, high)``), or the Stata
          extended missing values found (``".a"`` to ``".z"``);
        - ``"missing_counts"``: ``{column: n}``, how many answers of each of
          those columns were read as missing because of such a code (system
          missing values are not counted here);
        - ``"user_missing"``: ``{column: ((row, code), ...)}``, for each of
          those answers its row label in the frame as read and its code in
          the file; ``dict(df.attrs["user_missing"][column])`` maps rows to
          codes.

        SPSS files with multiple-dichotomy sets also give
        ``"multiple_response_sets"`` (``{set: [columns]}``) and
        ``"multiple_response_counted"`` (``{set: counted value}``).

        A survey tool's export gives ``"source"`` (``"qualtrics"`` or
        ``"surveymonkey"``), ``"column_labels"`` (each column's question
        text, ``"question - option"`` for one option of a question),
        ``"option_labels"`` (``{column: option label}`` for the columns of a
        question with several), ``"multiple_response_sets"`` (``{question:
        [option columns]}`` for its select-all questions, every option
        column listed), ``"multiple_response_counted"`` (``{question:
        {column: "any"}}`` for a SurveyMonkey "Other (please specify)"
        column, whose typed text is a tick), ``"multiple_response_unread"``
        (``{question: {column: reason}}`` for an option column whose answers
        are not ticks, with a warning; :func:`cxstats.multiple_response`
        raises on it until ``counted=`` is given), Qualtrics'
        ``"import_ids"`` (``{column: ImportId object}``) and ``"time_zones"``
        (``{date column: time zone}``, the dates being as written).

        Whitespace-only cells of text, Excel and export files are reported
        under ``"missing_codes"`` (the cells as written, e.g. ``[" "]``),
        ``"missing_counts"`` and ``"user_missing"``, as above. Other formats
        are read as their pandas reader returns them, apart from the
        delimiter, decimal mark and leading zeros of text files.

    Raises
    ------
    DataError
        If the file is missing, has an unsupported ending, cannot be parsed,
        has two columns of the same name (pandas would rename the second
        ``nps.1``; the message gives both positions), is text whose
        delimiter or decimal mark cannot be told apart (e.g. a column with
        ``4,5`` next to one with ``1.5``, or only values like ``1,234``), or
        would be read as one column whose name holds a delimiter; or (with
        ``categorical=``) if two codes of one column would be shown by the
        same text, e.g. two codes labelled ``"Agree"``. The message names
        the file and the columns, codes or options at fault. Such a column is
        not disambiguated: read it without ``categorical=`` and use the codes.
        Also if the header rows are half a survey tool's (ImportId objects
        outside row 3, for example) or look like extra header rows of
        another layout; the message names the rows.
    TypeError
        An option the underlying reader does not take (the message names the file).
    ValueError
        If ``categorical=`` is used with a format without value labels, names
        a column that is missing or has no value labels, if an option this
        function controls is passed, if ``sheet_name=`` asks for several
        sheets, if ``source=`` is not one of its choices or is given for
        another format, or if an export is given an option it does not take.

    Notes
    -----
    The delimiter and decimal mark are found from the first 200 lines. A
    column of multiple-choice answers written ``1,3`` in a semicolon file
    looks like decimal numbers: pass ``decimal="."`` to keep such answers as
    text.

    pyreadstat reads a Stata system missing value ``.`` as 0 in an integer
    column that also holds ``.a`` to ``.z`` when asked for those codes; such
    columns are therefore read a second time without them, so the numbers and
    the ``NaN`` are those of the file.

    References
    ----------
    IBM SPSS Statistics, "MISSING VALUES" command (user-missing values) and
    "MRSETS" command (multiple-response sets);
    StataCorp, Stata User's Guide, section 12.2.1 "Missing values";
    Qualtrics, "Understanding Your Dataset" (support page: the three header
    rows of CSV and TSV exports); SurveyMonkey's "All responses data" export
    (CSV or XLS, expanded columns), as parsed by the monkeywrangler R package
    (``loadSurveyMonkeyXLS``).

    Examples
    --------
    >>> import os, tempfile
    >>> import pandas as pd, pyreadstat
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"nps": [10, 7, 3]}).to_csv(os.path.join(folder, "w1.csv"), index=False)
    >>> read_responses(os.path.join(folder, "w1.csv"))["nps"].tolist()
    [10, 7, 3]

    A semicolon file with decimal commas and store numbers with leading zeros:

    >>> with open(os.path.join(folder, "w1.txt"), "w") as f:
    ...     _ = f.write("store_id;score\\n007;4,5\\n012;3,0\\n")
    >>> text = read_responses(os.path.join(folder, "w1.txt"))
    >>> text["store_id"].tolist(), text["score"].tolist()
    (['007', '012'], [4.5, 3.0])

    An SPSS file with a 0-10 item labelled only at its ends, and a 1-5 item:

    >>> sav = os.path.join(folder, "w2.sav")
    >>> answers = pd.DataFrame({"nps": [10, 9, 3, 0, 7], "agree": [2, 3, 3, 4, 2]})
    >>> pyreadstat.write_sav(answers, sav, column_labels=["Recommend", "Easy to deal with"],
    ...     variable_value_labels={"nps": {0: "Not at all likely", 10: "Extremely likely"},
    ...                            "agree": {1: "Disagree strongly", 2: "Disagree", 3: "Neutral",
    ...                                      4: "Agree", 5: "Agree strongly"}})
    >>> df = read_responses(sav)
    >>> df["nps"].tolist()
    [10, 9, 3, 0, 7]
    >>> df.attrs["value_labels"]["nps"]
    {0: 'Not at all likely', 10: 'Extremely likely'}
    >>> df.attrs["column_labels"]["agree"]
    'Easy to deal with'
    >>> labelled = read_responses(sav, categorical=["agree"])
    >>> labelled["agree"].cat.categories.tolist()
    ['Disagree strongly', 'Disagree', 'Neutral', 'Agree', 'Agree strongly']
    >>> labelled["nps"].tolist()
    [10, 9, 3, 0, 7]

    99 declared missing ("Don't know") for the 0-10 item:

    >>> sav = os.path.join(folder, "w3.sav")
    >>> pyreadstat.write_sav(pd.DataFrame({"nps": [10, 99, 3, 99]}), sav, missing_ranges={"nps": [99]},
    ...                      variable_value_labels={"nps": {99: "Don't know"}})
    >>> df = read_responses(sav)
    >>> df["nps"].tolist()
    [10.0, nan, 3.0, nan]
    >>> df.attrs["missing_codes"]["nps"], df.attrs["missing_counts"]["nps"]
    ([99], 2)
    >>> dict(df.attrs["user_missing"]["nps"])
    {1: 99, 3: 99}

    A Qualtrics export: three header rows, a 0-10 item and a select-all question:

    >>> rows = ['Q1,Q5_1,Q5_2', '"How likely to recommend?","Channels - Selected Choice - Phone",'
    ...         '"Channels - Selected Choice - Chat"',
    ...         '"{""ImportId"":""QID1""}","{""ImportId"":""QID5"",""choiceId"":""1""}",'
    ...         '"{""ImportId"":""QID5"",""choiceId"":""2""}"', '10,1,', '6,,1', '9,1,1']
    >>> with open(os.path.join(folder, "qualtrics.csv"), "w") as f:
    ...     _ = f.write("\\n".join(rows) + "\\n")
    >>> q = read_responses(os.path.join(folder, "qualtrics.csv"))
    >>> q["Q1"].tolist(), q.attrs["column_labels"]["Q1"], q.attrs["multiple_response_sets"]
    ([10, 6, 9], 'How likely to recommend?', {'Q5': ['Q5_1', 'Q5_2']})
    """
    path = Path(path)
    suffixes = [x.lower() for x in path.suffixes]
    compressed = len(suffixes) > 1 and suffixes[-1] in COMPRESSED and READERS.get(suffixes[-2]) == "csv"
    kind = "csv" if compressed else READERS.get(path.suffix.lower())
    if kind is None and suffixes[-1:] == [".zip"]:
        raise DataError(f"{path}: a .zip archive (Qualtrics downloads its exports zipped); unzip it and read the "
                        ".csv, .tsv or .sav file inside")
    if kind is None:
        raise DataError(
            f"{path}: unsupported file type {path.suffix or '(none)'!r}; "
            f"supported: {', '.join(sorted(READERS))}"
        )
    categorical = _check_options(kind, categorical, options)
    if source is not None and source not in TOOLS:
        raise ValueError(f"source={source!r} is not valid; choose one of: {', '.join(map(repr, TOOLS))} "
                         "(or None to recognise a survey tool's export from its header rows)")
    if source is not None and kind not in ("csv", "excel"):
        raise ValueError(f"source= applies to delimited text and Excel files, not to {kind} ({path.name})")
    check_export_options(source, options)
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    if kind == "csv" and ".tsv" in suffixes:
        options.setdefault("sep", "\t")
    readers = {
        "csv": _read_text_blanks,
        "parquet": read_parquet,
        "spss": lambda p, **o: _read_labelled(p, "read_sav", **o),
        "stata": lambda p, **o: _read_labelled(p, "read_dta", **o),
        "excel": _read_excel_blanks,
    }
    try:
        tool, header_rows = detect(path, kind, options, source) if kind in ("csv", "excel") else ("plain", 1)
        if tool != "plain":
            read = read_export(path, kind, tool, header_rows, options)
        else:
            read = readers[kind](path, **options)
    except DataError:  # raised here with the file's name
        raise
    except TypeError as err:  # e.g. an option the reader does not take: the same error, naming the file
        raise TypeError(f"{path}: {err}") from err
    except Exception as err:  # the readers raise many types; name the file either way
        if isinstance(err, ValueError) and str(err).startswith(str(path)):  # a usage error that names it already
            raise
        if isinstance(err, UnicodeDecodeError):
            raise DataError(f"{path}: is not UTF-8 text ({err}); pass encoding=, e.g. encoding='cp1252' for a "
                            "file saved by Excel on Windows or encoding='latin-1'") from err
        raise DataError(f"{path}: could not be read as {kind}: {type(err).__name__}: {err}") from err
    if kind in ("spss", "stata"):
        absent = [c for c in _listed(options.get("usecols")) if c not in read[0].columns]
        if absent:
            import pyreadstat

            reader = pyreadstat.read_sav if kind == "spss" else pyreadstat.read_dta
            names = reader(str(path), metadataonly=True)[1].column_names
            raise DataError(f"{path}: usecols= names column(s) not in the file: {', '.join(map(repr, absent))}; "
                            f"its columns: {', '.join(map(repr, names[:20]))}{' ...' if len(names) > 20 else ''}")
        df = _with_metadata(*read, path, categorical)
    elif kind == "parquet":
        df = read
    else:
        df, blanks = read
        if blanks:  # whitespace-only cells, read as missing: reported as declared missing codes are
            report = _missing_report({column: sorted(set(values)) for column, values in blanks.items()}, blanks)
            for name, values in report.items():
                df.attrs[name] = {**df.attrs.get(name, {}), **values}
    if df.shape[1] == 0:
        raise DataError(f"{path}: no columns were found; is it empty or in another format?")
    refuse_duplicate_names(df.columns, path, "rename them in the file")
    note_read(path)
    return df
