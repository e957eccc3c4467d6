"""The aggregation where the data lives: one Ibis expression, run by the table's own engine.

For data that is not in memory (a Parquet/CSV file read by DuckDB, or an Ibis
table of any backend: DuckDB, Spark, a warehouse), the sufficient statistics
of :mod:`cxstats._aggregate` (rows, weights, weighted sums and sums of
squares per stratum, sampling unit and group) and the weighted
cross-products of :func:`cross_products` (for key drivers) are computed by
one GROUP BY built with Ibis; only the small result comes back, and the same
inference code as for in-memory data finishes it.

The expressions use only what every SQL dialect Ibis compiles to has:
``x - x = 0`` tests that a number is finite (false for NULL, NaN and the
infinities), sums with a FILTER (``sum(where=)``), counts and casts. They
are built by :func:`totals_query` and :func:`cross_product_query` without a
connection, so ``ibis.to_sql(expr, dialect=...)`` shows what would run on
BigQuery, Snowflake, Trino or any other engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._aggregate import SUMS, VALUE_SUMS, Totals, unit_columns
from ._validate import plain
from .design import SurveyDesign, design_degf, design_tables, unit_codes

COUNTS = ("n", "n_pos", "n_y", "n_y_pos")


def _finite(expr):
    """True where a float column holds a finite number (not null, NaN or infinite), on any engine.

    ``x - x = 0`` is false for NaN and for the infinities (whose difference is
    NaN) in every SQL dialect Ibis compiles to, so no engine's own ``isnan``,
    ``isinf`` or ``isfinite`` is needed (Ibis 12 compiles ``isinf`` to a
    constant false on Spark; DuckDB answers ``isnan`` from a Parquet file's
    column statistics, which leave NaN out), and it is computed row by row.
    """
    return expr.notnull() & ((expr - expr) == 0)


def _infinite(expr):
    """True where a float column holds an infinity: equal to +inf or -inf (NaN equals neither, on any engine).

    Neither ``isnan`` nor a comparison with 0: DuckDB folds them with a Parquet
    file's column statistics, which leave NaN out (a NaN among positive
    numbers would pass for both "not below 0" and "its negation below 0");
    the statistics do hold the infinities, so equality with them is exact.
    """
    import ibis

    return expr.notnull() & ((expr == ibis.literal(np.inf, type="float64")) |
                             (expr == ibis.literal(-np.inf, type="float64")))


def _namer(columns):
    """Names for the engine's internal quantities that no column of the data has (a prefix none of them starts with)."""
    prefix = "_cx_"
    while any(str(c).startswith(prefix) for c in columns):
        prefix = "_" + prefix
    return lambda name: prefix + name


def _with_weight(table, weight, _x):
    """The table with a float weight column (1 for every row without weights) and that column."""
    import ibis

    w = table[weight].cast("float64") if weight is not None else ibis.literal(1.0, type="float64")
    table = table.mutate(**{_x("w"): w})
    return table, table[_x("w")]


def _count(condition):
    """The number of rows where ``condition`` holds (a boolean expression), as a 64-bit integer sum."""
    return condition.cast("int64").sum()


def _grouped(table, keys, metrics):
    """``table`` grouped by ``keys`` (none: one row) with the named ``metrics``."""
    return table.group_by(keys).aggregate(**metrics) if keys else table.aggregate(**metrics)


def design_query(table, *, weight=None, strata=None, cluster=(), fpc=()):
    """The checks of a survey design as one Ibis expression over ``table`` (not executed).

    Per stratum and sampling unit: rows, rows with a positive weight, and
    with a weight column the weights given (not missing), the lowest weight
    and the sum of the weights; per fpc column its range and missing values.
    These few aggregates decide whether every weight is valid: a missing
    weight makes the count of weights short, a negative one the lowest
    below 0, a NaN or an infinite one the sum not finite (NaN and the
    infinities propagate through a sum on every engine); only then are the
    faulty rows counted and found, by :func:`weight_faults` and
    :func:`_rows_where`. Result columns carry a prefix no column of the
    table has.

    Examples
    --------
    >>> import ibis
    >>> t = ibis.table({"region": "string", "store": "int64", "w": "float64"}, name="feedback")
    >>> print(ibis.to_sql(design_query(t, strata="region"), dialect="bigquery").splitlines()[-2])
    GROUP BY
    """
    _x = _namer(table.columns)
    table, w = _with_weight(table, weight, _x)
    keys = [c for c in [strata, *cluster] if c is not None]
    metrics = {_x("n"): table.count(), _x("n_pos"): _count(w > 0)}
    if weight is not None:
        metrics.update({_x("n_w"): table[weight].count(), _x("w_min"): w.min(), _x("sw"): w.sum()})
    for s, column in enumerate(fpc):
        metrics[_x(f"fpc{s + 1}_min")] = table[column].cast("float64").min()
        metrics[_x(f"fpc{s + 1}_max")] = table[column].cast("float64").max()
        metrics[_x(f"fpc{s + 1}_null")] = _count(table[column].isnull())
    return _grouped(table, keys, metrics)


def weight_faults(table, weight) -> tuple[int, int]:
    """The rows of ``table`` whose weight is missing or not finite, and those whose weight is negative (a query)."""
    _x = _namer(table.columns)
    w = table[weight].cast("float64")
    found = table.aggregate(**{_x("bad"): _count(~_finite(w)), _x("neg"): _count(w < 0)}).to_pandas().iloc[0]
    return int(found[_x("bad")]), int(found[_x("neg")])


def _rows_where(table, condition) -> str:
    """Where some rows meeting ``condition`` are, for an error message.

    DuckDB reads a file in its order, so up to five rows are named by their
    0-based numbers there; other engines (Spark, warehouses) keep no row
    order, so up to three rows are shown by the values of their first
    columns instead.
    """
    import ibis

    if table.get_backend().name == "duckdb":
        row = _namer(table.columns)("row")
        numbered = table.mutate(**{row: ibis.row_number()})
        found = numbered.filter(condition(numbered)).order_by(row).select(row).limit(5).to_pandas()[row].tolist()
        return f"e.g. rows {found} (0-based)"
    shown = table.filter(condition(table)).select(table.columns[:4]).limit(3).to_pandas()
    rows = ["(" + ", ".join(f"{c}={plain(v)!r}" for c, v in row.items()) + ")" for row in shown.to_dict("records")]
    return f"e.g. the rows {', '.join(rows)} (this engine keeps no row order to number them by)"


def file_categories(data) -> dict:
    """The categorical columns of a Parquet file (or folder) written from pandas: ``{column: [categories]}``.

    DuckDB reads a categorical as text (its values sorted, unused categories unknown); the declared categories and
    their order are the Arrow dictionary of the file's first row group (all categories, used or not, as pandas
    writes them), so that a path gives the rows, and the order of rows, that the DataFrame gives. Other tables: {}.
    """
    from pathlib import Path

    if not isinstance(data, str | Path):
        return {}
    path = Path(data)
    files = sorted(path.rglob("*.parquet")) if path.is_dir() else [path]
    if not files or files[0].suffix.lower() not in (".parquet", ".pq"):
        return {}
    import pyarrow.parquet as pq

    file = pq.ParquetFile(files[0])
    columns = [f.name for f in file.schema_arrow if str(f.type).startswith("dictionary")]
    if not columns or file.metadata.num_row_groups == 0:
        return {}
    first = file.read_row_group(0, columns=columns)
    return {c: [plain(v) for v in first.column(c).chunk(0).dictionary.to_pylist()] for c in columns
            if first.column(c).num_chunks}


def design_from_table(table, spec: dict, categories=None) -> SurveyDesign:
    """A survey design over an Ibis table: every check of :func:`cxstats.survey_design`, run as queries.

    ``categories`` (from :func:`file_categories`): declared categories of the table's categorical columns.
    """
    _x = _namer(table.columns)
    source = spec["source"]
    weight = spec["weight"]
    if weight is not None:
        kind = table.schema()[weight]
        if not (kind.is_numeric() or kind.is_boolean()):
            raise ValueError(f"weight column {weight!r} in {source} must be numeric, not {kind}; it has values "
                             f"{example_values(table, weight)}")
    if spec["fpc"] and weight is None:
        raise ValueError(f"{source}: give weight= for data read where it lives (weights are derived from the fpc "
                         "only for in-memory data)")
    for column in spec["fpc"]:
        if not table.schema()[column].is_numeric():
            raise ValueError(f"fpc column {column!r} must be numeric (population sizes or sampling fractions)")
    units = design_query(table, weight=weight, strata=spec["strata"], cluster=spec["cluster"],
                         fpc=spec["fpc"]).to_pandas()
    if units.empty or units[_x("n")].sum() == 0:
        raise ValueError(f"{source} has no rows")
    for name, role in [(spec["strata"], "strata"), *[(c, "cluster") for c in spec["cluster"]]]:
        if name is not None and units[name].isna().any():
            rows = _rows_where(table, lambda t, c=name: t[c].isnull())
            n_missing = int(units.loc[units[name].isna(), _x("n")].sum())
            raise ValueError(f"{role} column {name!r} has {n_missing} missing value(s) in {source}, {rows}; every "
                             "respondent needs one")
    for s, column in enumerate(spec["fpc"]):
        missing = int(units[_x(f"fpc{s + 1}_null")].sum())
        if missing:
            rows = _rows_where(table, lambda t, c=column: t[c].isnull())
            raise ValueError(f"fpc column {column!r} has {missing} missing value(s) in {source}, {rows}; every "
                             "respondent needs one")
    if weight is not None:
        sums = units[_x("sw")].to_numpy(dtype=float, na_value=np.nan)
        with np.errstate(over="ignore"):  # the total of finite sums may overflow too
            suspect = (units[_x("n_w")] < units[_x("n")]).any() or (units[_x("w_min")] < 0).any() or \
                not (np.isfinite(sums).all() and np.isfinite(sums.sum()))
        bad, negative = weight_faults(table, weight) if suspect else (0, 0)
        if bad:
            rows = _rows_where(table, lambda t: ~_finite(t[weight].cast("float64")))
            raise ValueError(f"weight column {weight!r} has {bad} missing or non-finite "
                             f"value(s) in {source}, {rows}; every respondent needs a weight")
        if negative:
            rows = _rows_where(table, lambda t: t[weight] < 0)
            raise ValueError(f"weight column {weight!r} has {negative} negative value(s) in "
                             f"{source}, {rows}; weights must be 0 or more")
        if suspect:  # every weight finite and 0 or more, yet their sum is not finite
            raise ValueError(f"weight column {weight!r} is too large to sum in {source}; rescale it")
        if units[_x("sw")].sum() <= 0:
            raise ValueError(f"weight column {weight!r} sums to zero in {source}; at least one respondent needs a "
                             "positive weight")
    if spec["strata"] is not None:
        stratum, stratum_labels = pd.factorize(units[spec["strata"]], sort=True)
    else:
        stratum, stratum_labels = np.zeros(len(units), dtype=np.int64), np.array([1])
    stratum = stratum.astype(np.int64)
    raw, raw_labels = [], []
    for column in spec["cluster"]:
        codes, labels = pd.factorize(units[column], sort=True)
        raw.append(codes.astype(np.int64))
        raw_labels.append(np.asarray(labels))
    from .design import check_nested

    if raw:
        check_nested(stratum, raw[0], np.asarray(stratum_labels), raw_labels[0], spec)
    codes = unit_codes(stratum, raw, spec)
    unit_table = pd.DataFrame({"stratum": np.asarray(stratum_labels)[stratum],
                               "n": units[_x("n")].to_numpy(dtype=np.int64),
                               "n_pos": units[_x("n_pos")].to_numpy(dtype=np.int64)})
    for s, c in enumerate(codes):
        unit_table[f"unit{s + 1}"] = c
        unit_table[f"label{s + 1}"] = units[spec["cluster"][s]].to_numpy()
    for s in range(len(spec["fpc"])):
        unit_table[f"fpc{s + 1}_min"] = units[_x(f"fpc{s + 1}_min")].to_numpy()
        unit_table[f"fpc{s + 1}_max"] = units[_x(f"fpc{s + 1}_max")].to_numpy()
    if not codes:  # rows are the PSUs: one row per stratum
        unit_table = unit_table.groupby("stratum", sort=True).agg(
            n=("n", "sum"), n_pos=("n_pos", "sum"),
            **{c: (c, "min" if c.endswith("min") else "max") for c in unit_table.columns if c.startswith("fpc")}
        ).reset_index()
    strata_table, stage_tables, _ = design_tables(unit_table, spec)
    code_map = units[[c for c in [spec["strata"], *spec["cluster"]] if c is not None]].copy()
    code_map[_x("stratum")] = stratum
    for s, c in enumerate(codes):
        code_map[_x(f"unit{s + 1}")] = c
    n_rows = int(units[_x("n")].sum())
    n_pos = int(units[_x("n_pos")].sum())
    design = SurveyDesign(data=table, **spec, strata_frame=strata_table, stage_tables=stage_tables, n_rows=n_rows,
                          n_zero_weight=n_rows - n_pos, degf=design_degf(strata_table))
    object.__setattr__(design, "_code_map", code_map)
    object.__setattr__(design, "_categories", categories or {})
    object.__setattr__(design, "_kept_sums", {})  # aggregations kept to sum up for coarser groupings
    return design


def _lowest_answer(table, weight, value) -> float:
    """The lowest finite answer with a positive weight (0 if none): the shift of the value sums, as in memory."""
    _x = _namer(table.columns)
    table, w = _with_weight(table, weight, _x)
    y = table[value].cast("float64")
    low = table.aggregate(**{_x("low"): y.min(where=_finite(y) & (w > 0))}).to_pandas()[_x("low")].iloc[0]
    return float(low) if pd.notna(low) else 0.0


def totals_query(table, *, weight=None, keys=(), value=None, shift=0.0, domains=(), row_moments=True,
                 positive=True):
    """The aggregation of :mod:`cxstats._aggregate` as one Ibis expression over ``table`` (not executed).

    Per group of ``keys`` (design columns first, then the domains): rows,
    rows with a positive weight, sums of the weights and squared weights;
    with ``value``, the same over the rows whose answer is a finite number,
    the sums of w (y - shift) and w (y - shift)^2, the sum of w y, the count
    of infinite answers, and with ``row_moments`` (rows are the PSUs) the
    sums of w^2 (y - shift) and w^2 (y - shift)^2. ``shift`` is a number,
    or ``"lowest"``: the lowest finite answer given with a positive weight in
    the group's domain (its values of ``domains``, some of ``keys``; 0 for a
    domain without one), found by the same query (a join of the table with
    its domains' lowest answers) and returned as a column. Without ``positive``
    (a design whose weights are all positive) the rows with a positive
    weight are not counted: they are all the rows. Result columns carry a
    prefix that no column of the table has (``_cx_n``, ...).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.table({"month": "string", "nps": "int64", "w": "float64"}, name="feedback")
    >>> sql = ibis.to_sql(totals_query(t, weight="w", keys=["month", "nps"]), dialect="trino")
    >>> "GROUP BY" in sql and "SUM" in sql
    True
    """
    _x = _namer(table.columns)
    table, w = _with_weight(table, weight, _x)
    metrics = {"n": table.count(), "n_pos": _count(w > 0), "sw": w.sum(), "sw2": (w * w).sum()}
    if value is not None:
        raw = table[value].cast("float64")
        answered = _finite(raw)
        if isinstance(shift, str):  # each domain's lowest answer, joined to its rows
            table = _with_lowest(table, raw, w, list(domains), _x)
            raw, answered, w = table[value].cast("float64"), _finite(table[value].cast("float64")), table[_x("w")]
            shift = table[_x("low")]
            metrics = {"n": table.count(), "n_pos": _count(w > 0), "sw": w.sum(), "sw2": (w * w).sum(),
                       "shift": shift.min()}
        y = raw - shift
        wy = w * y
        metrics.update(
            n_y=_count(answered), n_y_pos=_count(answered & (w > 0)), sw_y=w.sum(where=answered),
            sw2_y=(w * w).sum(where=answered), swy=wy.sum(where=answered), swy2=(wy * y).sum(where=answered),
            swy_raw=(w * raw).sum(where=answered), n_inf=_count(_infinite(raw)))
        if row_moments:
            metrics.update(sw2y=(wy * w).sum(where=answered), sw2y2=(wy * wy).sum(where=answered))
    if not positive:
        metrics = {name: expr for name, expr in metrics.items() if name not in ("n_pos", "n_y_pos")}
    return _grouped(table, list(keys), {_x(name): expr for name, expr in metrics.items()})


def _with_lowest(table, raw, w, domains, _x):
    """``table`` with a column ``_x("low")``: the lowest finite answer with a positive weight of each row's
    domain (the rows' values of ``domains``, a missing value a domain of its own; 0 where none)."""
    import ibis

    low = _grouped(table, domains, {_x("low"): raw.min(where=_finite(raw) & (w > 0))})
    if not domains:
        return table.cross_join(low).mutate(**{_x("low"): ibis.coalesce(ibis._[_x("low")], 0.0)})
    right = low.rename({_x("key") + str(k): key for k, key in enumerate(domains)})
    joined = table.left_join(right, [table[key].identical_to(right[_x("key") + str(k)])
                                     for k, key in enumerate(domains)])
    joined = joined.select(*table.columns, **{_x("low"): ibis.coalesce(joined[_x("low")], 0.0)})
    return joined


def refuse_infinite(design: SurveyDesign, column, count=None) -> None:
    """An error naming ``column``, its number of infinite answers (counted by a query if not given) and some rows."""
    table = design.data
    if count is None:
        _x = _namer(table.columns)
        found = table.aggregate(**{_x("n"): _count(_infinite(table[column].cast("float64")))}).to_pandas()
        count = int(found[_x("n")].iloc[0])
    rows = _rows_where(table, lambda t: _infinite(t[column].cast("float64")))
    raise ValueError(f"column {column!r} has {count} infinite value(s) in {design.source}, {rows}")


def _design_keys(design, stages) -> list:
    """The table's columns naming the stratum and the sampling units of the first ``stages`` stages."""
    return [c for c in [design.strata, *design.cluster[:stages]] if c is not None]


def _with_codes(design, out, design_keys, internal) -> pd.DataFrame:
    """The engine's result with the design's integer codes (stratum, units) of each group's design keys."""
    if design_keys:
        code_map = design._code_map[[*design_keys, *internal]].drop_duplicates(design_keys)
        return out.merge(code_map, on=design_keys, how="left", validate="many_to_one")
    return out.assign(**{internal[0]: 0})


_KEPT_GROUPS = 100_000  # a design keeps aggregations up to this many groups, to sum up for coarser groupings


def _sums_by(design: SurveyDesign, group_keys: list, positive: bool) -> pd.DataFrame:
    """Rows, weights and squared weights per group of ``group_keys``: a query, or the sum of a finer one kept.

    Every aggregation without an answer column that a design's engine
    returns (if it has at most ``_KEPT_GROUPS`` groups) is kept with the
    design; a later one by some of the same columns (a crosstab by month
    and channel after an NPS by month, channel and answer) is summed up
    from it in memory instead of reading the data again. Groups with a
    missing value keep it as a group of their own, as in the engine.
    """
    kept = design._kept_sums
    if tuple(group_keys) in kept:
        return kept[tuple(group_keys)]
    finer = [keys for keys in kept if set(group_keys) <= set(keys)]
    if finer:
        smallest = min(finer, key=lambda keys: len(kept[keys]))
        found = kept[smallest]
        sums = [c for c in found.columns if c not in smallest]
        if group_keys:
            return found.groupby(group_keys, dropna=False, sort=False, observed=True)[sums].sum().reset_index()
        return found[sums].sum().to_frame().T
    out = totals_query(design.data, weight=design.weight, keys=group_keys, positive=positive).to_pandas()
    if len(out) <= _KEPT_GROUPS:
        kept[tuple(group_keys)] = out
    return out


def aggregate_table(design: SurveyDesign, keys: tuple, value) -> Totals:
    """:func:`cxstats._aggregate.aggregate` for data read where it lives: one query, run by its engine.

    Without an answer column the sums may come from a finer aggregation the
    design keeps (see :func:`_sums_by`). When every weight is positive, the
    rows with a positive weight are all the rows and are not counted again.
    """
    data = design.data
    _x = _namer(data.columns)  # the same names as when the design was made
    units = unit_columns(design)
    design_keys = _design_keys(design, len(units))
    group_keys = design_keys + [k for k in keys if k not in design_keys]
    positive = design.n_zero_weight > 0
    if value is None:
        out = _sums_by(design, group_keys, positive)
    elif keys:  # value sums about each domain's lowest answer, as in memory
        out = totals_query(data, weight=design.weight, keys=group_keys, value=value, shift="lowest",
                           domains=list(keys), row_moments=not units, positive=positive).to_pandas()
    else:
        shift = _lowest_answer(data, design.weight, value)
        out = totals_query(data, weight=design.weight, keys=group_keys, value=value, shift=shift,
                           row_moments=not units, positive=positive).to_pandas()
        if out[_x("n_inf")].sum():
            refuse_infinite(design, value, int(out[_x("n_inf")].sum()))
    if not positive:  # every row has a positive weight
        out = out.assign(**{_x("n_pos"): out[_x("n")]})
        if value is not None:
            out = out.assign(**{_x("n_y_pos"): out[_x("n_y")]})
    merged = _with_codes(design, out, design_keys, [_x("stratum"), *[_x(unit) for unit in units]])
    if _x("shift") in merged:  # each group's domain's lowest answer
        shift = merged[_x("shift")].fillna(0.0).to_numpy(dtype=float)
    columns = {"stratum": merged[_x("stratum")].to_numpy(dtype=np.int64)}
    columns.update((unit, merged[_x(unit)].to_numpy(dtype=np.int64)) for unit in units)
    codes, labels, declared = {}, {}, {}
    for key in keys:  # values to codes: a categorical's categories first (in memory's order), others sorted
        found, uniques = pd.factorize(merged[key], sort=True, use_na_sentinel=True)
        labels[key] = np.array([plain(v) for v in np.asarray(uniques, dtype=object)], dtype=object)
        categories = getattr(design, "_categories", {}).get(key, [])
        declared[key] = len(categories)
        if categories:  # found values not declared (none, for a file pandas wrote) come after the categories
            order = categories + [v for v in labels[key] if v not in set(categories)]
            position = {v: i for i, v in enumerate(order)}
            found = np.where(found < 0, -1, np.array([position[v] for v in labels[key]] + [-1])[found])
            labels[key] = np.array(order, dtype=object)
        if (found < 0).any():
            found = np.where(found < 0, len(labels[key]), found)
            labels[key] = np.append(labels[key], np.nan)
        codes[key] = found.astype(np.int64)
    for name in SUMS + VALUE_SUMS:
        if _x(name) in merged:
            values = merged[_x(name)]
            if name in VALUE_SUMS:
                values = values.fillna(0.0)  # a group without answers: the engine's empty sum is NULL
            columns[name] = values.to_numpy(dtype=np.int64 if name in COUNTS else float)
    return Totals(columns, codes, keys, labels, declared, tuple(units), shift if value is not None else 0.0)


# ---------------------------------------------------------------- cross-products (key drivers)

@dataclass(frozen=True)
class CrossProducts:
    """Output of :func:`cross_products`: what a weighted correlation matrix needs, from the engine.

    ``sums`` has one row per PSU (``psu_stratum`` gives each one's stratum
    code, in the order of the design's PSU codes) or a single row, and the
    columns laid out by :func:`unpack_cross_products`. ``n`` is the number of
    respondents used (listwise: those with every answer and a positive
    weight; pairwise: the fewest behind one correlation), ``n_missing`` those
    without an answer to at least one column, ``spread`` each column's range
    (max - min) over the respondents used.
    """

    sums: np.ndarray
    psu_stratum: np.ndarray | None
    n: int
    n_missing: int
    spread: np.ndarray


def _pairs(k) -> list:
    """The pairs (a, b), a <= b, of k columns: the upper triangle of a symmetric matrix, row by row."""
    return [(a, b) for a in range(k) for b in range(a, k)]


def unpack_cross_products(sums: np.ndarray, k: int, missing: str) -> tuple:
    """Full matrices from rows of :class:`CrossProducts` sums (shape (..., m)) for ``k`` columns.

    Listwise: (total weight (...,), weighted sums (..., k), weighted
    cross-products (..., k, k)) of the respondents with every answer.
    Pairwise: for each pair (a, b) of columns, over the respondents who
    answered both: the weight (..., k, k), the weighted sum of a, of a^2, and
    of a b (each (..., k, k)).
    """
    upper = np.triu_indices(k)
    t = k * (k + 1) // 2

    def symmetric(part):
        full = np.zeros((*part.shape[:-1], k, k))
        full[..., upper[0], upper[1]] = part
        full[..., upper[1], upper[0]] = part
        return full

    if missing == "listwise":
        return sums[..., 0], sums[..., 1:k + 1], symmetric(sums[..., k + 1:k + 1 + t])
    square = lambda part: part.reshape(*part.shape[:-1], k, k)  # noqa: E731
    return (symmetric(sums[..., :t]), square(sums[..., t:t + k * k]), square(sums[..., t + k * k:t + 2 * k * k]),
            symmetric(sums[..., t + 2 * k * k:]))


def example_values(table, column, limit=5) -> list:
    """A few of a column's values, sorted, for an error message: those that are not numbers first."""
    import ibis

    value = table[column]
    text = value.cast("string")
    not_number = text.try_cast("float64").isnull() if hasattr(text, "try_cast") else ibis.literal(True)
    rows = table.filter(value.notnull()).select(text.name(column), not_number.name("_bad")).distinct()
    found = rows.order_by([ibis.desc("_bad"), column]).limit(limit).to_pandas()
    return [plain(v) for v in found[column]]


def _numeric_columns(table, columns, source) -> None:
    """Answers must be numbers (or booleans): a text column is an error naming a few of its values."""
    for column in columns:
        kind = table.schema()[column]
        if not (kind.is_numeric() or kind.is_boolean()):
            shown = example_values(table, column)
            raise ValueError(f"column {column!r} must hold numbers (the answers' scores); it has values {shown} "
                             f"in {source}")


def cross_product_query(table, columns, *, weight=None, missing="listwise", center=None, keys=()):
    """Weighted sums and cross-products of ``columns`` (centred at ``center``) per group of ``keys``, unexecuted.

    The result's columns (after the keys) are laid out as
    :func:`unpack_cross_products` reads them. Listwise, over the rows with
    every column a finite number: the weight, the weighted sums and the
    upper triangle of the weighted cross-products. Pairwise, over the rows
    with both columns of each pair: the weight (upper triangle), the sums of
    a and a^2 (every ordered pair) and of a b (upper triangle).

    Examples
    --------
    >>> import ibis
    >>> t = ibis.table({"overall": "float64", "staff": "float64", "speed": "float64"}, name="feedback")
    >>> query = cross_product_query(t, ["staff", "speed", "overall"])
    >>> len(query.columns)  # the weight, 3 weighted sums and 6 cross-products
    10
    >>> "FILTER" in ibis.to_sql(query, dialect="duckdb")
    True
    """
    _x = _namer(table.columns)
    table, w = _with_weight(table, weight, _x)
    k = len(columns)
    center = np.zeros(k) if center is None else center
    x = [table[c].cast("float64") - float(m) for c, m in zip(columns, center, strict=True)]
    present = [_finite(table[c].cast("float64")) for c in columns]
    metrics = []
    if missing == "listwise":
        complete = present[0]
        for p in present[1:]:
            complete = complete & p
        metrics.append(w.sum(where=complete))
        metrics += [(w * xa).sum(where=complete) for xa in x]
        metrics += [(w * x[a] * x[b]).sum(where=complete) for a, b in _pairs(k)]
    else:
        both = {(a, b): present[a] & present[b] for a in range(k) for b in range(k)}
        metrics += [w.sum(where=both[a, b]) for a, b in _pairs(k)]
        metrics += [(w * x[a]).sum(where=both[a, b]) for a in range(k) for b in range(k)]
        metrics += [(w * x[a] * x[a]).sum(where=both[a, b]) for a in range(k) for b in range(k)]
        metrics += [(w * x[a] * x[b]).sum(where=both[a, b]) for a, b in _pairs(k)]
    return _grouped(table, list(keys), {_x(f"s{i}"): m for i, m in enumerate(metrics)})


def cross_products(design: SurveyDesign, columns: list, missing: str = "listwise", per_psu: bool = False):
    """Weighted cross-products of answer ``columns`` computed by the design's engine (two queries).

    The first query counts the respondents used and missing, finds the
    weighted means (the centre, so that sums of squares keep their digits),
    each column's range, and any infinite answer (an error naming the
    column); the second sums the cross-products, per PSU with ``per_psu``
    (for the bootstrap, which resamples PSUs). Returns
    :class:`CrossProducts`.
    """
    table, source = design.data, design.source
    _numeric_columns(table, columns, source)
    _x = _namer(table.columns)
    t, w = _with_weight(table, design.weight, _x)
    k = len(columns)
    x = [t[c].cast("float64") for c in columns]
    present = [_finite(v) for v in x]
    complete = present[0]
    for p in present[1:]:
        complete = complete & p
    metrics = {"n_missing": _count(~complete)}
    metrics.update({f"inf{j}": _count(_infinite(v)) for j, v in enumerate(x)})
    used = [complete] * k if missing == "listwise" else present
    for j, v in enumerate(x):
        metrics.update({f"sw{j}": w.sum(where=used[j]), f"swx{j}": (w * v).sum(where=used[j]),
                        f"lo{j}": v.min(where=used[j] & (w > 0)), f"hi{j}": v.max(where=used[j] & (w > 0))})
    if missing == "listwise":
        metrics["n"] = _count(complete & (w > 0))
    else:
        metrics.update({f"n{a}_{b}": _count(present[a] & present[b] & (w > 0)) for a, b in _pairs(k)})
    first = _grouped(t, [], {_x(name): m for name, m in metrics.items()}).to_pandas().iloc[0]
    get = lambda name: first[_x(name)]  # noqa: E731
    infinite = [c for j, c in enumerate(columns) if get(f"inf{j}")]
    if infinite:
        raise ValueError(f"column {infinite[0]!r} has infinite values in {source}; answers must be finite numbers "
                         "or missing")
    n = int(get("n")) if missing == "listwise" else min(int(get(f"n{a}_{b}")) for a, b in _pairs(k))
    weight_sums = np.array([float(get(f"sw{j}")) if pd.notna(get(f"sw{j}")) else 0.0 for j in range(k)])
    center = np.array([float(get(f"swx{j}")) / s if s > 0 else 0.0 for j, s in enumerate(weight_sums)])
    spread = np.array([float(get(f"hi{j}")) - float(get(f"lo{j}")) if pd.notna(get(f"lo{j}")) else 0.0
                       for j in range(k)])
    design_keys = _design_keys(design, 1) if per_psu and design.cluster else []
    out = cross_product_query(table, columns, weight=design.weight, missing=missing, center=center,
                              keys=design_keys).to_pandas()
    names = [c for c in out.columns if c not in design_keys]
    psu_stratum = None
    if design_keys:
        out = _with_codes(design, out, design_keys, [_x("stratum"), _x("unit1")]).sort_values(_x("unit1"))
        psu_stratum = out[_x("stratum")].to_numpy(dtype=np.int64)
    sums = out[names].to_numpy(dtype=float, na_value=np.nan)
    sums = np.where(np.isnan(sums), 0.0, sums)  # a PSU without answers: the engine's empty sum is NULL
    return CrossProducts(sums, psu_stratum, n, int(get("n_missing")), spread)
