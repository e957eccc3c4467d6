"""Survey designs: weights, strata, clusters (PSUs) and finite population corrections, as R's ``svydesign``.

A design is checked once, when it is made; every respondent-level estimate
then reads it. Respondent rows live either in memory (a pandas DataFrame,
held with integer codes for strata and sampling units) or where the data is
(a Parquet/CSV file or an Ibis table: the checks below run there as queries
and only small tables come back).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ._provenance import note_read
from ._validate import check_choice, plain

LONELY_PSU = ("fail", "certainty", "remove", "average", "adjust")
_SUMMABLE = 1e300  # non-negative weights whose number times the largest is below this sum without overflow
FILE_READERS = {".parquet": "read_parquet", ".pq": "read_parquet", ".csv": "read_csv", ".tsv": "read_csv"}


def check_columns(df, *columns, where="the data") -> None:
    """Raise a ValueError naming every requested column that ``df`` (a DataFrame or Ibis table) lacks."""
    names = df.columns  # a pandas Index of text finds a name by its hash table (kept), not by reading every name
    if not text_labels(names) or not all(isinstance(c, str) for c in columns if c is not None):
        names = list(names)
    missing = [c for c in columns if c is not None and c not in names]
    if missing:
        raise ValueError(f"column(s) {missing} not in {where}; available: {list(names)}")


def text_labels(names) -> bool:
    """Whether column labels are a flat pandas Index of text, whose ``in`` is a plain look-up of the name (dates,
    periods and MultiIndex levels match other things: a label '2021' is 'in' dates of 2021)."""
    return isinstance(names, pd.Index) and not isinstance(names, pd.MultiIndex) and \
        (pd.api.types.is_object_dtype(names.dtype) or pd.api.types.is_string_dtype(names.dtype))


def _rows(index, mask, limit=5) -> list:
    return list(index[np.flatnonzero(mask)[:limit]])


def _file_options(path, reader) -> dict:
    """DuckDB's reading options for a survey file, with the checks read_responses makes on the same file.

    Repeated column names are refused (DuckDB would rename the second ``nps_1``); a text file's delimiter and
    decimal mark are those read_responses finds, and the cells read as missing are pandas' default markers
    (``NA``, ``N/A``, ``NULL``, empty, ...), so both readers see the same numbers.
    """
    from . import _tabular

    if reader == "read_parquet":
        import pyarrow.parquet as pq

        _tabular.refuse_duplicate_names(pq.read_schema(path).names, path, "rename them where the file is written")
        return {}
    if path.stat().st_size == 0:
        raise ValueError(f"{path}: the file is empty (no header row, no respondents)")
    found = _tabular.sniff_text(path, {})
    names = _tabular.header_row(pd.read_csv, path, found, _tabular.CSV_HEADER_OPTIONS)
    _tabular.refuse_duplicate_names(names, path, "rename them in the file, or read it with cxstats.read_responses("
                                    "path, names=[...], header=0) and pass the DataFrame")
    from pandas._libs.parsers import STR_NA_VALUES  # pandas' default missing markers ("NA", "N/A", "NULL", ...)

    options = {"nullstr": sorted(STR_NA_VALUES)}  # read as missing, as read_responses (pandas) reads them
    if found.get("sep") is not None:
        options["delim"] = found["sep"]
    if found.get("decimal") == ",":
        options["decimal_separator"] = ","
    return options


def _whitespace_cells(table) -> list:
    """The distinct whitespace-only cells (``" "``, SPSS's "Save as CSV" blank) of a table's text columns."""
    text = [c for c, kind in table.schema().items() if kind.is_string()]
    if not text:
        return []
    found = table.aggregate(**{f"c{i}": table[c].collect(where=table[c].re_search(r"^\s+$"), distinct=True)
                               for i, c in enumerate(text)}).execute()
    return sorted({v for values in found.iloc[0] if values is not None for v in values})


_database = []  # the embedded DuckDB database that reads files, opened on first use
_database_lock = threading.Lock()


def _duckdb():
    """A connection (through Ibis) to the embedded DuckDB that reads files where they lie, one per file read.

    Opening a database costs more than reading a small file, so one in-memory database is opened once; each file
    read gets a cursor of it of its own, so designs on different files can run their queries at the same time
    (from several threads) as with a database each.
    """
    import duckdb
    import ibis

    with _database_lock:
        if not _database:
            _database.append(duckdb.connect())
        cursor = _database[0].cursor()
    return ibis.duckdb.from_connection(cursor)


def _open_folder(path: Path):
    """A folder of Parquet files (partitions ``key=value`` in the folder names) as one DuckDB table, via Ibis."""
    import pyarrow.parquet as pq

    from . import _tabular

    files = sorted(path.rglob("*.parquet"))
    if not files:
        raise ValueError(f"{path}: a folder is read as a Parquet dataset, but it holds no .parquet file")
    keys = [part.split("=", 1)[0] for part in files[0].relative_to(path).parts[:-1] if "=" in part]
    _tabular.refuse_duplicate_names([*pq.read_schema(files[0]).names, *keys], files[0],
                                    "rename them where the files are written (partition folders count as columns)")
    con = _duckdb()
    try:
        table = con.read_parquet(str(path / "**" / "*.parquet"), hive_partitioning=bool(keys), union_by_name=True)
    except Exception as err:  # duckdb raises several types; name the folder either way
        raise ValueError(f"{path}: could not be read as a Parquet dataset: {type(err).__name__}: {err}") from err
    for file in files:
        note_read(file)
    return table


def check_weights(df: pd.DataFrame, weight, where="the data") -> np.ndarray:
    """The weight column as floats, or ones; missing, non-finite or negative weights are errors naming the rows.

    Weights of zero are allowed (such rows stay in the design, as in R's
    ``survey``), but not weights that all are zero.
    """
    return weights_and_lowest(df, weight, where)[0]


def weights_and_lowest(df: pd.DataFrame, weight, where="the data") -> tuple[np.ndarray, float]:
    """:func:`check_weights`, and the lowest weight (whether some respondents have weight 0)."""
    if weight is None:
        return np.ones(len(df)), 1.0
    w = _weight_values(df, weight, where)
    lowest, highest = _lowest_and_highest(w) if w.size else (0.0, 0.0)
    return w, _check_weight_values(df, weight, w, lowest, highest)


def _weight_values(df: pd.DataFrame, weight: str, where="the data") -> np.ndarray:
    """The weight column as floats, its values not yet checked; a missing or non-numeric column is an error."""
    check_columns(df, weight, where=where)
    column = df[weight]
    if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column)) or \
            isinstance(column.dtype, pd.CategoricalDtype):
        text = pd.to_numeric(column.astype(object), errors="coerce").isna().to_numpy() & column.notna().to_numpy()
        if not text.any():
            raise ValueError(f"weight column {weight!r} holds numbers stored as {column.dtype}; convert it with "
                             "pd.to_numeric")
        shown = [plain(v) for v in column[text].unique()[:5]]
        raise ValueError(f"weight column {weight!r} must be numeric; it has values {shown}, e.g. rows "
                         f"{_rows(df.index, text)}")
    return weight_values(column)


def _usual_weights(lowest: float, highest: float, size: int) -> bool:
    """Whether weights with this lowest and highest are valid without a sum: none negative or missing (a NaN fails
    both tests), some positive, and too small for any sum of them to overflow."""
    return lowest >= 0 and 0 < highest and highest * size < _SUMMABLE


def _valid_by_sums(lowest: float, sums: np.ndarray) -> bool:
    """Whether weights whose lowest is ``lowest`` and whose sums by group are ``sums`` are valid: none negative
    or missing (a NaN fails the test), none infinite (their group's sum would be), some positive, and a total too
    small for any sum of them to overflow. Weights that fail are checked one by one (:func:`_check_weight_values`),
    which names the fault, or finds none in weights near the largest float."""
    if not lowest >= 0 or not np.isfinite(sums).all():
        return False
    with np.errstate(over="ignore"):  # a total that overflows fails the test
        total = sums.sum()
    return 0 < total < _SUMMABLE


def _check_weight_values(df: pd.DataFrame, weight: str, w: np.ndarray, lowest: float, highest: float) -> float:
    """``lowest`` when the weights ``w`` (of column ``weight``, with this lowest and highest) are valid; otherwise
    the error naming the rows at fault. The usual weights need no sum; the rest are summed to tell which error
    applies."""
    if _usual_weights(lowest, highest, w.size):
        return lowest
    with np.errstate(over="ignore"):  # a sum that overflows is the error below
        total = float(np.sum(w))
    if not np.isfinite(total):
        bad = ~np.isfinite(w)
        if bad.any():
            raise ValueError(f"weight column {weight!r} has {int(bad.sum())} missing or non-finite value(s), "
                             f"e.g. rows {_rows(df.index, bad)}; every respondent needs a weight (0 to leave one out)")
        raise ValueError(f"weight column {weight!r} is too large to sum; rescale it")
    if lowest < 0:
        bad = w < 0
        raise ValueError(f"weight column {weight!r} has {int(bad.sum())} negative value(s), e.g. rows "
                         f"{_rows(df.index, bad)}; weights must be 0 or more")
    if total <= 0:
        raise ValueError(f"weight column {weight!r} sums to zero; at least one respondent needs a positive weight")
    return lowest


def _lowest_and_highest(values: np.ndarray) -> tuple[float, float]:
    """The minimum and maximum (NaN if any) of a non-empty array, in one pass (see :func:`_by_blocks`)."""
    return _by_blocks(values, (np.min, np.max))


def weight_values(column: pd.Series) -> np.ndarray:
    """A numeric weight column as floats (NaN where missing), read in place when it holds floats already."""
    return column.to_numpy() if column.dtype == np.float64 else column.to_numpy(dtype=float, na_value=np.nan)


def sum_and_min(values: np.ndarray) -> tuple[float, float]:
    """The sum (for checks: added block by block) and the minimum (NaN if any) of an array, in one pass."""
    return _by_blocks(values, (np.sum, np.min))


def _by_blocks(values: np.ndarray, reductions, block=1 << 16) -> tuple:
    """Reductions (each also combines its own block results: sum, min, max) of an array, in one pass.

    Each block is read from memory once and then, for every reduction, from the processor cache.
    """
    if not values.size:
        return tuple(float(reduce(values)) for reduce in reductions)
    parts = [[reduce(values[start:start + block]) for reduce in reductions]  # a loop over blocks, each vectorized
             for start in range(0, values.size, block)]
    return tuple(float(reduce(column)) for reduce, column in zip(reductions, zip(*parts, strict=True), strict=True))


@dataclass(frozen=True, repr=False, eq=False)
class SurveyDesign:
    """A checked survey design; made by :func:`survey_design`.

    Attributes
    ----------
    data : pandas.DataFrame or ibis.Table
        The respondents (an Ibis table for files and database tables).
    weight, strata : str or None
        Column names (None: weight 1, one stratum).
    cluster, fpc : tuple of str
        Sampling-unit columns, one per stage (empty: every row is its own
        PSU), and finite population correction columns, one per stage.
    nest : bool
    lonely_psu : str
        What a stratum with one PSU contributes to the variance.
    source : str
        "data", or the path read.
    strata_table : pandas.DataFrame
        One row per stratum: ``stratum``, ``n_rows``, ``n_psu`` (sampled
        PSUs), ``n_psu_positive`` (with a positive weight), ``popsize``
        (PSUs in the population; infinite without fpc).
    stage_tables : tuple of pandas.DataFrame
        For stages 2 and later (only used with fpc): per unit of the stage
        above, ``n_units`` sampled and ``popsize``.
    n_rows, n_zero_weight : int
    degf : int
        Design degrees of freedom: PSUs minus strata, counting only those
        with a positive weight (R's ``degf``).
    weights, stratum_codes : numpy.ndarray or None
        Per row, for in-memory data only.
    unit_codes : tuple of numpy.ndarray
        Per row and stage, integer codes of the sampling units (in memory only).
    unit_first_rows : tuple of numpy.ndarray
        Per stage, the first row of each unit (in memory only), to find a
        unit's stratum and the units above it.
    strata_frame : pandas.DataFrame or None
        The strata table as made; None for a DataFrame with weights only,
        whose ``strata_table`` is made when first read (estimates need only
        ``n_strata`` and ``first_stage``).
    """

    data: object
    weight: str | None
    strata: str | None
    cluster: tuple
    fpc: tuple
    nest: bool
    lonely_psu: str
    source: str
    stage_tables: tuple
    n_rows: int
    n_zero_weight: int
    degf: int
    weights: np.ndarray | None = None
    stratum_codes: np.ndarray | None = None
    unit_codes: tuple = ()
    unit_first_rows: tuple = ()
    strata_frame: pd.DataFrame | None = None  # the strata table; None for weights only (made when first read)

    @property
    def in_memory(self) -> bool:
        """True for a pandas DataFrame, False for data read where it lives (Ibis)."""
        return isinstance(self.data, pd.DataFrame)

    @property
    def columns(self) -> list:
        return list(self.data.columns)

    @cached_property
    def strata_table(self) -> pd.DataFrame:
        """One row per stratum (see the attributes above)."""
        if self.strata_frame is not None:
            return self.strata_frame
        n, n_pos = self.n_rows, self.n_rows - self.n_zero_weight  # weights only: one stratum, rows as PSUs
        one = lambda value: np.array([value])  # noqa: E731 (numpy columns: a frame built at half the cost of lists)
        return pd.DataFrame({"stratum": one(1), "n_rows": one(n), "n_psu": one(n), "n_psu_positive": one(n_pos),
                             "popsize": one(np.inf)}, copy=False)

    @property
    def n_strata(self) -> int:
        """The number of strata (rows of ``strata_table``)."""
        return 1 if self.strata_frame is None else len(self.strata_frame)

    @cached_property
    def first_stage(self) -> tuple[np.ndarray, np.ndarray]:
        """Per stratum (rows of ``strata_table``), as floats: sampled PSUs and PSUs in the population."""
        if self.strata_frame is None:  # weights only: every row a PSU of one stratum, sampled with replacement
            return np.array([float(self.n_rows)]), np.array([np.inf])
        return (self.strata_frame["n_psu"].to_numpy(dtype=float), self.strata_frame["popsize"].to_numpy(dtype=float))

    @property
    def with_replacement(self) -> bool:
        """True without fpc: variance as for sampling PSUs with replacement."""
        return not self.fpc

    def summary(self) -> pd.DataFrame:
        """The strata table: rows, sampled PSUs (all and with positive weight) and population PSUs per stratum."""
        return self.strata_table.copy()

    def __repr__(self) -> str:
        kind = "Stratified " if self.strata else ""
        if not self.cluster:
            kind += "independent sampling design"
        else:
            kind += f"{len(self.cluster)}-stage cluster sampling design"
        kind += " (with replacement)" if self.with_replacement else ""
        psus = int(self.strata_table["n_psu"].sum())
        return (f"<SurveyDesign: {kind}; {self.n_rows} rows, {len(self.strata_table)} strata, {psus} PSUs, "
                f"degf {self.degf}; weight={self.weight!r}, strata={self.strata!r}, cluster={list(self.cluster)}, "
                f"fpc={list(self.fpc)}, lonely_psu={self.lonely_psu!r}; source: {self.source}>")


def _as_list(name, value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value) and value:
        return list(value)
    raise ValueError(f"{name} must be a column name or a list of column names, got {value!r}")


def open_source(data):
    """A DataFrame stays as it is; a Parquet/CSV path or an Ibis table becomes an Ibis table. Returns (data, label).

    A file, or a folder of Parquet files (a partitioned dataset such as
    ``feedback/month=2024-01/part-0.parquet``: the folder names ``key=value``
    become columns), is opened with Ibis' embedded DuckDB backend, which
    reads it where it lies. An Ibis table of any backend is used as it is.
    """
    if isinstance(data, pd.DataFrame):
        return data, "the data"
    if isinstance(data, str | Path):
        path = Path(data)
        if path.is_dir():
            return _open_folder(path), str(path)
        suffixes = [s.lower() for s in path.suffixes]
        reader = FILE_READERS.get(path.suffix.lower())
        if reader is None and len(suffixes) > 1 and suffixes[-1] in (".gz", ".zst", ".bz2"):
            reader = FILE_READERS.get(suffixes[-2]) if suffixes[-2] in (".csv", ".tsv") else None
        if reader is None:
            raise ValueError(f"{path}: survey files are read where they are from .parquet or .csv (.tsv, .csv.gz), "
                             f"or a folder of .parquet files; got {path.suffix or 'no ending'!r}. Read other formats "
                             "with cxstats.read_responses and pass the DataFrame")
        if not path.is_file():
            raise ValueError(f"{path}: file not found")
        if reader == "read_csv":  # plain or compressed (.csv.gz): an export is recognised either way
            from ._exports import detect

            if detect(path, "csv", {}, None)[0] != "plain":  # a Qualtrics/SurveyMonkey export: its header rows
                from .io import read_responses  # are not respondents, so it is read by the one file reader

                return read_responses(path), str(path)
        options = _file_options(path, reader)
        con = _duckdb()
        try:
            table = getattr(con, reader)(str(path), **options)
            if reader == "read_csv" and (blanks := _whitespace_cells(table)):
                # whitespace-only cells are missing, as read_responses reads them: read again with them as NULL,
                # so a column of numbers with such blanks is numbers (its missing answers counted by every estimate)
                table = con.read_csv(str(path), **{**options, "nullstr": [*options["nullstr"], *blanks]})
        except Exception as err:  # duckdb raises several types; name the file either way
            raise ValueError(f"{path}: could not be read: {type(err).__name__}: {err}") from err
        note_read(path)
        return table, str(path)
    try:
        import ibis
    except ImportError:  # pragma: no cover - ibis is a dependency
        ibis = None
    if ibis is not None and isinstance(data, ibis.Table):
        return data, "the table"
    if isinstance(data, SurveyDesign):
        raise ValueError("data is already a survey design; pass it to the estimate directly")
    raise ValueError(f"data must be a pandas DataFrame, a path to a .parquet or .csv file, an Ibis table or a "
                     f"survey design; got {type(data).__name__}")


def survey_design(data, *, weight=None, strata=None, cluster=None, fpc=None, nest=False, lonely_psu="fail"):
    """Describe how a survey sample was drawn: weights, strata, clusters (PSUs) and finite population corrections.

    The design is checked once here; every respondent-level estimate
    (:func:`weighted_mean`, :func:`weighted_proportion`, :func:`nps`,
    :func:`crosstab`, ...) accepts it as ``data`` and then computes
    design-based (Taylor linearization) standard errors, as R's ``survey``
    package does for the same ``svydesign``.

    Parameters
    ----------
    data : pandas.DataFrame, path or ibis.Table
        One row per respondent. A ``.parquet`` or ``.csv`` path, or a folder
        of Parquet files (partitioned as ``month=2024-01/...``), is read by
        DuckDB (through Ibis) where it lies; the whole file is never loaded.
        An Ibis table of any backend (DuckDB, Spark through
        ``ibis.pyspark.connect(session)``, a warehouse) stays in its engine:
        the checks here and every estimate are queries run there, and only
        small tables of sums come back. The design keeps those tables, so an
        estimate by some of the columns of an earlier one (a crosstab by
        month and channel after an NPS by month and channel) is summed from
        them without a query; make a new design after the data changes.
        Groups come in a categorical's order
        (unused categories included) for a DataFrame and for a Parquet file
        written from one (its categories are read from the file); other
        tables hold text, so their groups are the values found, sorted.
    weight : str, optional
        Column of survey (sampling) weights: how many population members a
        respondent stands for; not frequency weights. Zero is allowed (the
        row stays in the design, as in R). Without weights and without
        ``fpc`` every row has weight 1; with ``fpc`` and no weights, the
        weights are the inverse sampling fractions of the stages (as R).
    strata : str, optional
        Column of strata (sampling was done separately in each).
    cluster : str or list of str, optional
        Sampling-unit columns, first stage first (R's ``ids = ~psu + ssu``).
        Without it every respondent is its own PSU.
    fpc : str or list of str, optional
        Finite population correction per stage: population sizes (all
        values >= 1: PSUs in the stratum, then units in the PSU) or
        sampling fractions (all values <= 1). Without it, sampling is
        treated as with replacement.
    nest : bool, default False
        True when PSU ids are only unique within strata (PSU 1 of stratum A
        is not PSU 1 of stratum B). With False, a PSU id found in two strata
        is an error.
    lonely_psu : {"fail", "certainty", "remove", "average", "adjust"}
        A stratum with a single PSU has no variance estimate. As R's
        ``options(survey.lonely.psu = ...)``: ``fail`` raises (default);
        ``certainty`` and ``remove`` let it contribute nothing; ``average``
        replaces its contribution by the average of the other strata;
        ``adjust`` centres it at the grand mean instead of its own.

    Returns
    -------
    SurveyDesign
        Pass it as ``data`` to any respondent-level estimate (then
        ``weight=`` is not allowed there). ``design.summary()`` tabulates
        the strata; ``design.degf`` is the design's degrees of freedom.

    Raises
    ------
    ValueError
        A missing column; a missing, non-finite or negative weight (rows
        named); missing strata, cluster or fpc values (rows named); a PSU in
        two strata when ``nest=False``; a stratum with one PSU when
        ``lonely_psu="fail"`` (stratum named); an fpc that varies within a
        stratum, mixes counts and fractions, or is smaller than the number
        of units sampled; a design with a single PSU.

    Notes
    -----
    Variances are Horvitz-Thompson-type linearization (Taylor) variances:
    with ``n_h`` PSUs in stratum ``h``, PSU totals ``z_hi`` of the
    estimate's influence values and ``f_h = n_h / N_h``, ``V = sum_h (1 -
    f_h) n_h / (n_h - 1) sum_i (z_hi - mean_h z)^2``, plus, with fpc at later
    stages, the within-PSU variance of each stage times the sampling
    fractions above it (R's ``svyrecvar``). Degrees of freedom are PSUs minus
    strata (R's ``degf``).

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, ch. 2-3.
    Wolter, K. M. (2007). Introduction to Variance Estimation, 2nd ed. Springer, ch. 6.

    Examples
    --------
    Four stores (the PSUs) in two regions (the strata), two customers each:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"region": ["N"] * 4 + ["S"] * 4, "store": [1, 1, 2, 2, 3, 3, 4, 4],
    ...                    "w": [10.0] * 8, "csat": [4, 5, 3, 4, 2, 3, 5, 5]})
    >>> design = survey_design(df, weight="w", strata="region", cluster="store")
    >>> design.degf
    2
    >>> design.summary()[["stratum", "n_rows", "n_psu"]]
      stratum  n_rows  n_psu
    0       N       4      2
    1       S       4      2
    """
    check_choice("lonely_psu", lonely_psu, LONELY_PSU)
    if not isinstance(nest, bool):
        raise ValueError(f"nest must be True or False, got {nest!r}")
    clusters, fpcs = _as_list("cluster", cluster), _as_list("fpc", fpc)
    if strata is not None and not isinstance(strata, str):
        raise ValueError(f"strata must be one column name, got {strata!r}")
    if weight is not None and not isinstance(weight, str):
        raise ValueError(f"weight must be a column name, got {weight!r}")
    if len(fpcs) > max(1, len(clusters)):
        raise ValueError(f"fpc has {len(fpcs)} columns for {len(clusters)} cluster stage(s); give at most one per "
                         "stage")
    given, (data, source) = data, open_source(data)
    check_columns(data, weight, strata, *clusters, *fpcs, where=source)
    spec = {"weight": weight, "strata": strata, "cluster": tuple(clusters), "fpc": tuple(fpcs), "nest": nest,
            "lonely_psu": lonely_psu, "source": source}
    if isinstance(data, pd.DataFrame):
        return _design_in_memory(data, spec)[0]
    from ._engine import design_from_table, file_categories

    return design_from_table(data, spec, file_categories(given))


def _codes(values: pd.Series, name: str, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (in sorted order) and labels of a design column; missing values are errors naming the rows."""
    missing = values.isna().to_numpy()
    if missing.any():
        raise ValueError(f"{name} column {values.name!r} has {int(missing.sum())} missing value(s) in {source}, "
                         f"e.g. rows {_rows(values.index, missing)}; every respondent needs one")
    arr = values.to_numpy()
    if arr.dtype.kind in "iu" and arr.size:
        low, high = int(arr.min()), int(arr.max())
        if -(1 << 62) < low and high < 1 << 62 and high - low < max(_COUNTING_LIMIT, 4 * arr.size):
            offsets = arr.astype(np.int64)  # 64 bits: a narrow column would wrap
            if low:
                offsets -= low
            codes, present = dense_codes(offsets, high - low + 1)
            return codes, np.flatnonzero(present) + low
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.int64), np.asarray(labels)


_COUNTING_LIMIT = 1 << 24  # integer codes up to this size are numbered by counting, not hashing


def dense_codes(values: np.ndarray, top=None):
    """Codes 0..k-1 (in sorted order) of non-negative integers, by counting; (None, None) if they range too far.

    Also returns which of 0..max occur. Two passes, no hashing or sorting (one when ``top``, the maximum plus
    one, is known).
    """
    top = int(values.max()) + 1 if top is None else top
    if top > max(_COUNTING_LIMIT, 4 * values.size):
        return None, None
    present = np.bincount(values, minlength=top) > 0
    if present.all():  # already dense
        return values.astype(np.int64, copy=False), present
    lookup = np.cumsum(present) - 1
    return lookup[values], present


def pair_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Codes of the pairs (a, b) of two non-negative integer code arrays, numbered in sorted order."""
    key = a * (int(b.max()) + 1) + b
    codes, _ = dense_codes(key)
    return codes if codes is not None else pd.factorize(key, sort=True)[0].astype(np.int64)


def _in_first_stratum(stratum: np.ndarray, psu: np.ndarray, psu_stratum: np.ndarray, block=1 << 16) -> bool:
    """Whether every row is in the stratum of its PSU (``psu_stratum``: that of the PSU's first row).

    Compared block by block: no full-length temporary (a fresh one costs a page fault per page).
    """
    for start in range(0, psu.size, block):  # a loop over blocks of rows, each vectorized
        rows = slice(start, start + block)
        if not np.array_equal(np.take(psu_stratum, psu[rows]), stratum[rows]):
            return False
    return True


def check_nested(stratum: np.ndarray, psu: np.ndarray, stratum_labels, psu_labels, spec: dict, first=None) -> None:
    """With ``nest=False``, a PSU id found in two strata is an error naming it and the strata.

    ``first`` is each PSU's first row (from :func:`first_rows`, found here if not given).
    """
    if spec["strata"] is None or spec["nest"] or not spec["cluster"]:
        return
    first = first_rows(psu) if first is None else first
    if _in_first_stratum(stratum, psu, stratum[first]):
        return
    n_strata = int(stratum.max()) + 1
    key = psu * n_strata + stratum
    _, present = dense_codes(key)
    pairs = np.flatnonzero(present) if present is not None else pd.unique(key)  # counting, else one hash pass
    per_psu = np.bincount(pairs // n_strata)
    if (per_psu > 1).any():
        p = int(np.flatnonzero(per_psu > 1)[0])
        strata = [plain(stratum_labels[s]) for s in np.sort(pairs[pairs // n_strata == p] % n_strata)][:5]
        raise ValueError(f"PSUs are not nested in strata in {spec['source']}: PSU {plain(psu_labels[p])!r} of "
                         f"{spec['cluster'][0]!r} appears in strata {strata}; if PSU ids are numbered within "
                         "each stratum, pass nest=True")


def unit_codes(stratum: np.ndarray, raw: list, spec: dict) -> list:
    """Integer codes of the sampling units of every stage, nested in the stage above (and in strata with nest)."""
    units = []
    for stage, codes in enumerate(raw):
        if stage == 0 and spec["nest"]:
            codes = pair_codes(stratum, codes)
        elif stage > 0:
            codes = pair_codes(units[-1], codes)  # later stages are nested in the stage above, as R forces
        units.append(codes)
    return units


def weights_only_design(df: pd.DataFrame, weight: str, w: np.ndarray, lowest: float) -> SurveyDesign:
    """The design ``survey_design(df, weight=weight)`` makes, given the weights already checked by the caller:
    ``w`` from :func:`weight_values`, all finite, ``lowest`` the lowest of them, above 0."""
    spec = {"weight": weight, "strata": None, "cluster": (), "fpc": (), "nest": False, "lonely_psu": "fail",
            "source": "the data"}
    return _design_in_memory(df, spec, checked_weights=(w, lowest))[0]


def weighted_design_and_sums(df: pd.DataFrame, weight, keys: tuple) -> tuple:
    """``survey_design(df, weight=weight)``, and its counts and weight sums by ``keys`` (distinct columns; what
    :func:`cxstats._aggregate.aggregate` gives) when they were taken in the pass that checks the weights, else
    None: an estimate that aggregates by these keys next reads the weights once (at 1e6 rows, reading them
    again from memory costs about 5% of a crosstab)."""
    if not isinstance(weight, str):
        return survey_design(df, weight=weight), None
    spec = {"weight": weight, "strata": None, "cluster": (), "fpc": (), "nest": False, "lonely_psu": "fail",
            "source": "the data"}  # as survey_design makes it for these arguments
    check_columns(df, weight, where=spec["source"])
    return _design_in_memory(df, spec, keys)


def _design_in_memory(df: pd.DataFrame, spec: dict, keys=(), checked_weights=None) -> tuple:
    """The design of a DataFrame, and the sums by ``keys`` taken while checking its weights (or None: see
    :func:`weighted_design_and_sums`); ``checked_weights``: the weights and their lowest, when already checked."""
    source = spec["source"]
    duplicated = [] if df.columns.is_unique else sorted(set(map(str, df.columns[df.columns.duplicated()])))
    if duplicated:
        raise ValueError(f"{source} has more than one column named {duplicated}; rename them so that each "
                         "answer has one column")
    n = len(df)
    if n == 0:
        raise ValueError(f"{source} has no rows")
    if spec["strata"] is not None:
        stratum, stratum_labels = _codes(df[spec["strata"]], "strata", source)
    else:
        # one stratum: a read-only view of a single 0, not n zeros
        stratum, stratum_labels = np.broadcast_to(np.int64(0), n), np.array([1])
    raw = [_codes(df[column], "cluster", source) for column in spec["cluster"]]
    units = unit_codes(stratum, [codes for codes, _ in raw], spec)
    first = tuple(first_rows(codes, len(labels) if s == 0 and not spec["nest"] else None)
                  for s, (codes, (_, labels)) in enumerate(zip(units, raw, strict=True)))
    if raw:
        check_nested(stratum, raw[0][0], stratum_labels, raw[0][1], spec, first[0] if not spec["nest"] else None)
    fpc_values = []
    for column in spec["fpc"]:
        values = df[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            raise ValueError(f"fpc column {column!r} must be numeric (population sizes or sampling fractions)")
        missing = values.isna().to_numpy()
        if missing.any():
            raise ValueError(f"fpc column {column!r} has {int(missing.sum())} missing value(s) in {source}, e.g. rows "
                             f"{_rows(values.index, missing)}; every respondent needs one")
        fpc_values.append(values.to_numpy(dtype=float))
    weights_only = spec["strata"] is None and not units and not fpc_values
    totals = None
    if keys and weights_only and spec["weight"] is not None and n >= 2:  # the weights checked by the first sums
        from ._aggregate import sums_checking_weights

        w = _weight_values(df, spec["weight"], where=source)
        found = sums_checking_weights(df, w, keys)
        if found is not None:
            totals, lowest = found
            if not _valid_by_sums(lowest, totals["sw"]):  # some bad weight, or weights near the largest float
                lowest = _check_weight_values(df, spec["weight"], w, *_lowest_and_highest(w))
    if totals is None:
        w, lowest = checked_weights or weights_and_lowest(df, spec["weight"], where=source)
    if weights_only:  # no tables to build
        # each row is in one group of the sums, so their n_pos add up to the rows of positive weight
        n_pos = int(totals["n_pos"].sum()) if totals is not None else n if lowest > 0 else \
            int(np.count_nonzero(w > 0))
        if n < 2:
            raise ValueError(f"the design has a single PSU in {source}; a variance needs at least two")
        return SurveyDesign(data=df, **spec, stage_tables=(), n_rows=n, n_zero_weight=n - n_pos,
                            degf=max(n_pos - 1, 0), weights=w, stratum_codes=stratum), totals
    unit_table = _unit_table(stratum, units, fpc_values, w, raw, one_stratum=spec["strata"] is None, first=first,
                             all_positive=lowest > 0)
    unit_table["stratum"] = stratum_labels[unit_table["stratum"].to_numpy()]
    strata_table, stage_tables, final_weights = design_tables(unit_table, spec)
    if final_weights is not None:  # weights from the fpc, as R when no weights are given
        lookup = np.empty(len(final_weights))
        if units:
            lookup[unit_table[f"unit{len(units)}"].to_numpy()] = final_weights
            w = lookup[units[-1]]
        else:
            w = final_weights[stratum]
    return SurveyDesign(
        data=df, **spec, strata_frame=strata_table, stage_tables=stage_tables, n_rows=n,
        n_zero_weight=n - int(unit_table["n_pos"].sum()), degf=design_degf(strata_table), weights=w,
        stratum_codes=stratum, unit_codes=tuple(units), unit_first_rows=first), None


def first_rows(codes: np.ndarray, size=None) -> np.ndarray:
    """For each code 0..max (``size`` codes, when known), the first row that has it.

    The rows are read in blocks until every code is found: usually after a
    few times as many rows as codes, unless the rows are sorted by code.
    """
    size = int(codes.max()) + 1 if size is None else size
    first = np.full(size, -1, dtype=np.int64)
    block = max(1 << 16, 8 * size)
    for start in range(0, codes.size, block):  # a loop over blocks of rows, each vectorized
        part = codes[start:start + block]
        found = np.full(size, -1, dtype=np.int64)
        found[part[::-1]] = np.arange(start + part.size - 1, start - 1, -1)
        first = np.where(first < 0, found, first)
        if (first >= 0).all():
            break
    return first


def _unit_table(stratum: np.ndarray, units: list, fpc_values: list, w: np.ndarray, raw=(), one_stratum=False,
                first=None, all_positive=None) -> pd.DataFrame:
    """Rows and positive-weight rows per final sampling unit (per stratum when rows are the PSUs), with fpc ranges.

    ``first``: the first row of each unit, per stage; ``all_positive``: whether every weight is positive (both
    found here if not given).
    """
    if all_positive is None:
        all_positive = bool(w.min() > 0) if w.size else True
    if units:
        finest = units[-1]
        first = first[-1] if first else first_rows(finest)
        size = first.size
        n = np.bincount(finest, minlength=size)
        n_pos = n if all_positive else np.bincount(finest, weights=w > 0, minlength=size).astype(np.int64)
        table = {"stratum": stratum[first], **{f"unit{s + 1}": codes[first] for s, codes in enumerate(units)},
                 **{f"label{s + 1}": labels[codes[first]] for s, (codes, labels) in enumerate(raw)}}
        group, groups = finest, size
    elif not fpc_values and one_stratum:  # one stratum, rows as PSUs: the usual weights-only design
        return pd.DataFrame({"stratum": [0], "n": [w.size], "n_pos": [w.size if all_positive else
                                                                      int(np.count_nonzero(w > 0))]})
    else:
        groups = int(stratum.max()) + 1
        n = np.bincount(stratum, minlength=groups)
        n_pos = n if all_positive else np.bincount(stratum, weights=w > 0, minlength=groups).astype(np.int64)
        table = {"stratum": np.arange(groups)}
        group = stratum
    table.update(n=n.astype(np.int64), n_pos=np.asarray(n_pos, dtype=np.int64))
    for s, values in enumerate(fpc_values):
        low, high = np.full(groups, np.inf), np.full(groups, -np.inf)
        np.minimum.at(low, group, values)
        np.maximum.at(high, group, values)
        table[f"fpc{s + 1}_min"], table[f"fpc{s + 1}_max"] = low, high
    return pd.DataFrame(table)


def design_degf(strata_table: pd.DataFrame) -> int:
    """PSUs with a positive weight minus strata with a positive weight (R's ``degf``)."""
    positive = strata_table["n_psu_positive"] > 0
    return int(strata_table.loc[positive, "n_psu_positive"].sum() - positive.sum())


def _popsize(table: pd.DataFrame, stage: int, group: str, sampled: np.ndarray, fractions: bool, what: str,
             source: str) -> np.ndarray:
    """Population size per group of one stage; the fpc must be one value per group and at least the sample."""
    grouped = table.groupby(group, sort=True)
    low, high = grouped[f"fpc{stage}_min"].min(), grouped[f"fpc{stage}_max"].max()
    names = _unit_names(table, group, low.index)
    varies = (low != high).to_numpy()
    if varies.any():
        i = int(np.flatnonzero(varies)[0])
        raise ValueError(f"fpc at stage {stage} varies within {what} {names[i]!r} ({low.iloc[i]:g} to "
                         f"{high.iloc[i]:g}) in {source}; it must be one value per {what}")
    pop = low.to_numpy(dtype=float)
    if fractions:
        pop = sampled / pop
    bad = pop < sampled * (1 - 1e-9)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"fpc implies more than 100% sampling at stage {stage} in {what} {names[i]!r}: "
                         f"{sampled[i]:g} units sampled from a population of {pop[i]:g}")
    return pop


def _unit_names(table: pd.DataFrame, group: str, index) -> list:
    """How the data names each group: a stratum's label, or a sampling unit's id as written (not its code)."""
    label = group.replace("unit", "label")
    if label in table and label != group:
        names = table.groupby(group, sort=True)[label].first().reindex(index)
        return [plain(v) for v in names]
    return [plain(v) for v in index]


def _strata_of_units(unit_table: pd.DataFrame) -> pd.DataFrame:
    """Rows, sampled PSUs and PSUs with a positive weight per stratum (sorted), from the final units' table.

    PSU codes (``unit1``) are unique across strata: PSUs are nested in strata.
    """
    stratum, labels = pd.factorize(unit_table["stratum"], sort=True)
    psu = unit_table["unit1"].to_numpy()
    size = int(psu.max()) + 1
    sampled = np.bincount(psu, minlength=size) > 0
    rows = np.bincount(psu, weights=unit_table["n"].to_numpy(dtype=float), minlength=size)[sampled]
    positive = np.bincount(psu, weights=unit_table["n_pos"].to_numpy(dtype=float), minlength=size)[sampled] > 0
    psu_stratum = np.zeros(size, dtype=np.int64)
    psu_stratum[psu] = stratum
    psu_stratum = psu_stratum[sampled]
    def count(weights=None):
        return np.bincount(psu_stratum, weights=weights, minlength=len(labels)).astype(np.int64)

    return pd.DataFrame({"stratum": labels, "n_rows": count(rows), "n_psu": count(), "n_psu_positive": count(positive),
                         "popsize": np.inf})


def design_tables(unit_table: pd.DataFrame, spec: dict):
    """Strata table, later-stage tables and (with fpc but no weights) the weight of each final unit.

    ``unit_table`` has one row per final sampling unit, or per stratum when
    every row is its own PSU: ``stratum`` (label), ``unit1``.. (integer
    codes), ``n`` (rows), ``n_pos`` (rows with a positive weight) and
    ``fpc{s}_min``/``fpc{s}_max``.
    """
    source, stages, fpcs = spec["source"], len(spec["cluster"]), spec["fpc"]
    if not stages and not fpcs and len(unit_table) == 1:  # the weights-only design: one stratum, rows as PSUs
        n, n_pos = int(unit_table["n"].iloc[0]), int(unit_table["n_pos"].iloc[0])
        if n < 2:
            raise ValueError(f"the design has a single PSU in {source}; a variance needs at least two "
                             "(check the cluster column)")
        strata = pd.DataFrame({"stratum": unit_table["stratum"].to_numpy(), "n_rows": [n], "n_psu": [n],
                               "n_psu_positive": [n_pos], "popsize": [np.inf]})
        return strata, (), None
    if stages:
        strata = _strata_of_units(unit_table)
    else:  # rows are the PSUs: the table is already per stratum
        strata = pd.DataFrame({"stratum": unit_table["stratum"], "n_rows": unit_table["n"],
                               "n_psu": unit_table["n"], "n_psu_positive": unit_table["n_pos"]}).reset_index(drop=True)
        strata[["n_rows", "n_psu", "n_psu_positive"]] = strata[["n_rows", "n_psu", "n_psu_positive"]].astype(np.int64)
        strata["popsize"] = np.inf
    if len(strata) == 1 and strata["n_psu"].iloc[0] == 1:
        raise ValueError(f"the design has a single PSU in {source}; a variance needs at least two "
                         "(check the cluster column)")
    fractions = False
    if fpcs:
        lows = [unit_table[f"fpc{s + 1}_min"] for s in range(len(fpcs))]
        if any((v <= 0).any() for v in lows):
            raise ValueError(f"fpc columns {list(fpcs)} must be positive")
        counts = all((v >= 1).all() for v in lows)
        fractions = all((v <= 1).all() for v in lows) and not counts
        if not (counts or fractions):
            raise ValueError(f"fpc columns {list(fpcs)} must all be population sizes (every value >= 1) or all "
                             "sampling fractions (every value <= 1), not a mix")
        strata["popsize"] = _popsize(unit_table, 1, "stratum", strata["n_psu"].to_numpy(float), fractions,
                                     "stratum", source)
    single = strata["n_psu"].to_numpy() == 1
    lonely = strata["stratum"].to_numpy()[single].tolist() if single.any() else []
    if lonely and spec["lonely_psu"] == "fail":
        raise ValueError(f"stratum(s) {lonely[:5]} of {spec['strata']!r} have only one PSU, so their variance cannot "
                         "be estimated; choose lonely_psu='certainty', 'remove', 'average' or 'adjust' (as R's "
                         "survey.lonely.psu), or merge the stratum with a similar one")
    stage_tables = []
    for s in range(2, stages + 1):
        parent, child = f"unit{s - 1}", f"unit{s}"
        per_parent = unit_table.groupby(parent, sort=True)[child].nunique()
        table = pd.DataFrame({"unit": per_parent.index.to_numpy(), "n_units": per_parent.to_numpy()})
        if len(fpcs) >= s:
            table["popsize"] = _popsize(unit_table, s, parent, table["n_units"].to_numpy(float), fractions,
                                        f"{spec['cluster'][s - 2]!r} unit", source)
        else:
            table["popsize"] = np.inf
        single = ((table["n_units"] == 1) & (table["popsize"] > 1)).to_numpy()
        if fpcs and single.any() and spec["lonely_psu"] in ("fail", "average"):
            names = _unit_names(unit_table, parent, table["unit"])
            shown = [n for n, one in zip(names, single, strict=True) if one][:5]
            raise ValueError(f"unit(s) {shown} of {spec['cluster'][s - 2]!r} have a single sampled unit of "
                             f"{spec['cluster'][s - 1]!r}, "
                             f"so the within-unit variance of stage {s} cannot be estimated; choose "
                             "lonely_psu='certainty', 'remove' or 'adjust' (they contribute nothing), as R's survey")
        stage_tables.append(table)
    weights = None
    if fpcs and spec["weight"] is None:
        if len(fpcs) < stages:
            raise ValueError("weights cannot be computed from the fpc when some stages have none; give weight=")
        ratio = (strata["popsize"] / strata["n_psu"]).to_numpy()
        weights = ratio[np.searchsorted(strata["stratum"].to_numpy(), unit_table["stratum"].to_numpy())]
        for s, table in enumerate(stage_tables, start=2):
            ratio = (table["popsize"] / table["n_units"]).to_numpy()
            weights = weights * ratio[np.searchsorted(table["unit"].to_numpy(), unit_table[f"unit{s - 1}"].to_numpy())]
    return strata, tuple(stage_tables), weights
