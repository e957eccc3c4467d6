"""The one aggregation behind every respondent-level estimate: respondent rows to sufficient statistics.

:func:`aggregate` turns a survey design, grouping columns and (optionally) a
numeric answer into one small table: per group of rows (stratum, sampling
unit where the design has clusters, then the grouping columns' values) the
number of rows, of rows with a positive weight, and the sums of the weights
and squared weights; with an answer, the same over the rows that answered
plus the sums of w y, w y^2, w^2 y and w^2 y^2. Everything cxstats estimates
from respondents (shares, means, totals, NPS, top-box, crosstabs, design
effects, linearization variances) is computed from this table.

Two implementations compute the same table: numpy for in-memory data, and
one Ibis expression for data that stays where it is (a Parquet/CSV file read
by DuckDB, or any Ibis table), which the table's own engine executes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .design import SurveyDesign, design_degf, design_tables, unit_codes

SUMS = ("n", "n_pos", "sw", "sw2")
VALUE_SUMS = ("n_y", "n_y_pos", "sw_y", "sw2_y", "swy", "swy2", "sw2y", "sw2y2", "swy_raw")
_RADIX_LIMIT = 1 << 22  # groups numbered directly (no hashing) below this many combinations


@dataclass(frozen=True)
class Totals:
    """Output of :func:`aggregate`.

    ``table`` has one row per non-empty group: ``stratum`` (integer code, the
    row of ``design.strata_table``), ``unit1``.. (codes of the sampling units
    of the stages the variance needs; absent when rows are the PSUs), the
    grouping columns (their values; missing values kept as a group of their
    own), and the sums ``n``, ``n_pos``, ``sw``, ``sw2`` (all rows) and, with a
    value, ``n_y``, ``n_y_pos``, ``sw_y``, ``sw2_y``, ``swy``, ``swy2``,
    ``sw2y``, ``sw2y2`` (rows that answered), and ``swy_raw``, the sum of
    w y itself, for the estimate. ``levels`` gives, per grouping
    column, its declared categories (a categorical's, observed or not) or
    None. The value sums are of ``y - shift``, with ``shift`` one of the
    answers, so that the sums of squares do not lose the spread of answers
    far from zero to rounding (a constant answer has exactly no spread).
    """

    table: pd.DataFrame
    keys: tuple
    value: str | None
    units: tuple
    levels: dict
    shift: float = 0.0


def unit_columns(design: SurveyDesign) -> list:
    """Sampling-unit stages the variance needs: the first, and later ones when the design has an fpc."""
    stages = len(design.cluster)
    if stages == 0:
        return []
    return [f"unit{s + 1}" for s in range(stages if design.fpc else 1)]


def aggregate(design: SurveyDesign, keys=(), value=None) -> Totals:
    """Sufficient statistics per stratum, sampling unit and group of ``keys`` (see the module docstring)."""
    keys = tuple(keys)
    if design.in_memory:
        return _aggregate_numpy(design, keys, value)
    return _aggregate_ibis(design, keys, value)


# ---------------------------------------------------------------- numpy

def key_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """Integer codes of a grouping column, its labels and whether the labels are declared categories.

    Missing values get the last code (label ``NaN``) when there are any.
    Small-range integers are coded by offset (no hashing); labels that no row
    has are dropped later with the empty groups.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        labels = np.asarray(dtype.categories, dtype=object)
        declared = True
    else:
        declared = False
        arr = values.to_numpy()
        if arr.dtype.kind in "iub" and arr.size:
            arr = arr.astype(np.int64) if arr.dtype.kind == "b" else arr
            low, high = int(arr.min()), int(arr.max())
            if high - low < 1 << 16:
                codes = arr - low if low else arr
                return codes, np.arange(low, high + 1, dtype=values.dtype if values.dtype.kind != "b" else np.int64)\
                    .astype(object) if values.dtype.kind != "b" else np.array([False, True], dtype=object)[
                        low:high + 1], False
        codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
        labels = np.asarray(uniques, dtype=object)
    missing = codes < 0
    if missing.any():
        codes = np.where(missing, len(labels), codes)
        labels = np.append(labels, np.nan)
    return codes, labels, declared


def _group_ids(parts: list[tuple[np.ndarray, int]]):
    """Combine integer code arrays (each with its number of codes) into one group id per row.

    Returns the ids (0..G-1), the number of groups and, per part, the code of each group.
    """
    total = 1
    for _, size in parts:
        total *= max(size, 1)
    if not parts:
        return None, 1, []
    if total <= _RADIX_LIMIT:
        ids = parts[0][0].astype(np.int64)
        for codes, size in parts[1:]:
            ids = ids * size + codes
        counts = np.bincount(ids, minlength=total)
        present = np.flatnonzero(counts)
        if present.size == total:
            group, n_groups = ids, total
        else:
            remap = np.full(total, -1, dtype=np.int64)
            remap[present] = np.arange(present.size)
            group, n_groups = remap[ids], present.size
        decoded, rest = [], present
        for _codes, size in reversed(parts):
            decoded.append(rest % size)
            rest = rest // size
        return group, n_groups, decoded[::-1]
    ids = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, size in parts:
        ids = ids * size + codes
    group, uniques = pd.factorize(ids, sort=True)
    decoded, rest = [], uniques
    for _codes, size in reversed(parts):
        decoded.append(rest % size)
        rest = rest // size
    return group, len(uniques), decoded[::-1]


def _dot(a, b) -> float:
    """Sum of a * b in one pass without BLAS threads (which only add overhead for one vector product)."""
    return float(np.einsum("i,i->", a, b))


def _sums(group, n_groups, w, y=None, shift=0.0) -> dict:
    """Per-group sums of the module docstring: bincount per sum, dot products when there is one group.

    Passes over the rows are counted: an all-positive weight or a complete
    answer column skips the masks it would otherwise need. The sums of
    squares are of ``y - shift``; ``swy_raw`` is the sum of w y.
    """
    all_positive = w.min() > 0
    positive = None if all_positive else w > 0
    if group is None:
        n = np.array([w.size])
        out = {"n": n, "n_pos": n if all_positive else np.array([np.count_nonzero(positive)]),
               "sw": np.array([w.sum()]), "sw2": np.array([_dot(w, w)])}
    else:
        count = lambda weights=None: np.bincount(group, weights=weights, minlength=n_groups)  # noqa: E731
        n = count().astype(np.int64)
        out = {"n": n, "n_pos": n if all_positive else count(positive).astype(np.int64), "sw": count(w),
               "sw2": count(w * w)}
    if y is None:
        return out
    complete = bool(np.isfinite(y.sum()))  # one pass: no missing answer (infinite ones were refused before)
    if complete:
        wa, ya = w, y
        out.update(n_y=out["n"], n_y_pos=out["n_pos"], sw_y=out["sw"], sw2_y=out["sw2"])
    else:
        answered = ~np.isnan(y)
        wa, ya = np.where(answered, w, 0.0), np.where(answered, y, 0.0)
        pos_a = answered if all_positive else positive & answered
        if group is None:
            out.update(n_y=np.array([np.count_nonzero(answered)]), n_y_pos=np.array([np.count_nonzero(pos_a)]),
                       sw_y=np.array([wa.sum()]), sw2_y=np.array([_dot(wa, wa)]))
        else:
            count = lambda weights: np.bincount(group, weights=weights, minlength=n_groups)  # noqa: E731
            out.update(n_y=count(answered).astype(np.int64), n_y_pos=count(pos_a).astype(np.int64), sw_y=count(wa),
                       sw2_y=count(wa * wa))
    if group is None:
        out["swy_raw"] = np.array([_dot(wa, ya)])
    else:
        out["swy_raw"] = np.bincount(group, weights=wa * ya, minlength=n_groups)
    if shift:
        ya = ya - shift if complete else np.where(answered, ya - shift, 0.0)
    wy = wa * ya
    if group is None:
        out.update(swy=np.array([wy.sum()]), swy2=np.array([_dot(wy, ya)]), sw2y=np.array([_dot(wy, wa)]),
                   sw2y2=np.array([_dot(wy, wy)]))
    else:
        count = lambda weights: np.bincount(group, weights=weights, minlength=n_groups)  # noqa: E731
        out.update(swy=count(wy), swy2=count(wy * ya), sw2y=count(wy * wa), sw2y2=count(wy * wy))
    return out


def numeric_values(design: SurveyDesign, column: str) -> np.ndarray:
    """An in-memory answer column as floats (NaN = missing); non-finite answers are errors naming the rows."""
    series = design.data[column]
    y = series.to_numpy() if series.dtype == np.float64 else series.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(y.sum()) or np.isnan(y.sum()) and np.isinf(y).any():
        infinite = np.isinf(y)
        if infinite.any():
            rows = list(series.index[np.flatnonzero(infinite)[:5]])
            raise ValueError(f"column {column!r} has {int(infinite.sum())} infinite value(s), e.g. rows {rows}")
    return y


def _aggregate_numpy(design: SurveyDesign, keys: tuple, value) -> Totals:
    df = design.data
    units = unit_columns(design)
    parts, names = [], []
    if units:
        finest = design.unit_codes[len(units) - 1]
        parts.append((finest, int(finest.max()) + 1))
        names.append(units[-1])
    elif len(design.strata_table) > 1:
        parts.append((design.stratum_codes, len(design.strata_table)))
        names.append("stratum")
    levels, labels = {}, {}
    for key in keys:
        codes, key_labels, declared = key_codes(df[key])
        parts.append((codes, len(key_labels)))
        names.append(key)
        labels[key] = key_labels
        levels[key] = list(key_labels[: len(df[key].cat.categories)]) if declared else None
    group, n_groups, decoded = _group_ids(parts)
    y, shift = None, 0.0
    if value is not None:
        y = numeric_values(design, value)
        shift = _lowest_counted(y, design.weights)
    table = pd.DataFrame(_sums(group, n_groups, design.weights, y, shift))
    for name, codes in zip(names, decoded, strict=True):
        table[name] = labels[name][codes] if name in labels else codes
    if units:  # the stratum and the stages above the finest unit, from the finest unit's code
        finest = table[units[-1]].to_numpy()
        rows_of_unit = _first_row_of_codes(design.unit_codes[len(units) - 1])
        table["stratum"] = design.stratum_codes[rows_of_unit[finest]]
        for s, unit in enumerate(units[:-1]):
            table[unit] = design.unit_codes[s][rows_of_unit[finest]]
    elif "stratum" not in table:
        table["stratum"] = 0
    table = table[["stratum", *units, *keys, *[c for c in SUMS + VALUE_SUMS if c in table.columns]]]
    return Totals(table, keys, value, tuple(units), levels, shift)


def _lowest_counted(y: np.ndarray, w: np.ndarray) -> float:
    """The lowest answer given with a positive weight (0 if none): the shift of the value sums.

    Any answer would do; the lowest is the same whichever engine aggregates.
    """
    low = y.min() if w.min() > 0 else np.min(y, where=w > 0, initial=np.inf)
    if not np.isfinite(low):  # missing answers (NaN) or no positive weight
        low = np.min(y, where=np.isfinite(y) & (w > 0), initial=np.inf)
    return float(low) if np.isfinite(low) else 0.0


def _first_row_of_codes(codes: np.ndarray) -> np.ndarray:
    """For each code 0..max, the first row that has it."""
    first = np.full(int(codes.max()) + 1, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(codes.size - 1, -1, -1)
    return first


# ---------------------------------------------------------------- Ibis

def _finite(expr):
    """True where a float column holds a finite number (not null, NaN or infinite).

    DuckDB's own ``isfinite`` is used where the engine is DuckDB: its
    ``isnan`` and comparisons can be answered from Parquet column statistics,
    which leave NaN out, so they would miss NaN values written to Parquet.
    """
    try:
        engine = expr.get_backend().name
    except Exception:  # noqa: BLE001 - an expression bound to no engine
        engine = ""
    if engine == "duckdb":
        return expr.notnull() & _duckdb_isfinite(expr)
    return expr.notnull() & ~expr.isnan() & ~expr.isinf()


def _duckdb_isfinite(expr):
    import ibis

    @ibis.udf.scalar.builtin(name="isfinite")
    def isfinite(x: float) -> bool: ...

    return isfinite(expr)


def _with_weight(table, weight):
    """The table with a float weight column ``_cx_w`` (1 for every row without weights) and that column."""
    import ibis

    w = table[weight].cast("float64") if weight is not None else ibis.literal(1.0, type="float64")
    table = table.mutate(_cx_w=w)
    return table, table["_cx_w"]


def _unit_aggregates(table, spec):
    """One query: rows, positive-weight rows, weight checks and fpc range per stratum and sampling unit."""
    import ibis

    table, w = _with_weight(table, spec["weight"])
    keys = [c for c in [spec["strata"], *spec["cluster"]] if c is not None]
    metrics = {"n": table.count(), "n_pos": (w > 0).cast("int64").sum()}
    if spec["weight"] is not None:
        column = table[spec["weight"]]
        bad = ~_finite(column.cast("float64"))
        metrics.update(n_bad_w=bad.cast("int64").sum(), n_neg_w=(w < 0).cast("int64").sum(), sw=w.sum())
    for s, column in enumerate(spec["fpc"]):
        metrics[f"fpc{s + 1}_min"] = table[column].cast("float64").min()
        metrics[f"fpc{s + 1}_max"] = table[column].cast("float64").max()
        metrics[f"fpc{s + 1}_null"] = table[column].isnull().cast("int64").sum()
    query = table.group_by(keys).aggregate(**metrics) if keys else table.aggregate(**metrics)
    return query.to_pandas(), ibis


def _rows_where(table, condition, label) -> list:
    """Row numbers (0-based, in file order) of up to five rows meeting ``condition``."""
    import ibis

    numbered = table.mutate(_row=ibis.row_number())
    return numbered.filter(condition(numbered)).order_by("_row").select("_row").limit(5).to_pandas()["_row"].tolist()


def design_from_table(table, spec: dict) -> SurveyDesign:
    """A survey design over an Ibis table: every check of :func:`cxstats.survey_design`, run as queries."""
    source = spec["source"]
    weight = spec["weight"]
    if weight is not None:
        kind = table.schema()[weight]
        if not (kind.is_numeric() or kind.is_boolean()):
            raise ValueError(f"weight column {weight!r} in {source} must be numeric, not {kind}")
    if spec["fpc"] and weight is None:
        raise ValueError(f"{source}: give weight= for data read where it lives (weights are derived from the fpc "
                         "only for in-memory data)")
    for column in spec["fpc"]:
        if not table.schema()[column].is_numeric():
            raise ValueError(f"fpc column {column!r} must be numeric (population sizes or sampling fractions)")
    units, _ = _unit_aggregates(table, spec)
    if units.empty or units["n"].sum() == 0:
        raise ValueError(f"{source} has no rows")
    for name, role in [(spec["strata"], "strata"), *[(c, "cluster") for c in spec["cluster"]]]:
        if name is not None and units[name].isna().any():
            rows = _rows_where(table, lambda t, c=name: t[c].isnull(), source)
            n_missing = int(units.loc[units[name].isna(), "n"].sum()) if not spec["cluster"] or role == "cluster" \
                else int(units.loc[units[name].isna(), "n"].sum())
            raise ValueError(f"{role} column {name!r} has {n_missing} missing value(s) in {source}, e.g. rows {rows} "
                             "(0-based); every respondent needs one")
    for s, column in enumerate(spec["fpc"]):
        if units[f"fpc{s + 1}_null"].sum():
            rows = _rows_where(table, lambda t, c=column: t[c].isnull(), source)
            raise ValueError(f"fpc column {column!r} has {int(units[f'fpc{s + 1}_null'].sum())} missing value(s) in "
                             f"{source}, e.g. rows {rows} (0-based); every respondent needs one")
    if weight is not None:
        if units["n_bad_w"].sum():
            rows = _rows_where(table, lambda t: ~_finite(t[weight].cast("float64")), source)
            raise ValueError(f"weight column {weight!r} has {int(units['n_bad_w'].sum())} missing or non-finite "
                             f"value(s) in {source}, e.g. rows {rows} (0-based); every respondent needs a weight")
        if units["n_neg_w"].sum():
            rows = _rows_where(table, lambda t: t[weight] < 0, source)
            raise ValueError(f"weight column {weight!r} has {int(units['n_neg_w'].sum())} negative value(s) in "
                             f"{source}, e.g. rows {rows} (0-based); weights must be 0 or more")
        if units["sw"].sum() <= 0:
            raise ValueError(f"weight column {weight!r} sums to zero in {source}")
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
    unit_table = pd.DataFrame({"stratum": np.asarray(stratum_labels)[stratum], "n": units["n"].astype(np.int64),
                               "n_pos": units["n_pos"].astype(np.int64)})
    for s, c in enumerate(codes):
        unit_table[f"unit{s + 1}"] = c
        unit_table[f"label{s + 1}"] = units[spec["cluster"][s]].to_numpy()
    for s in range(len(spec["fpc"])):
        unit_table[f"fpc{s + 1}_min"] = units[f"fpc{s + 1}_min"].to_numpy()
        unit_table[f"fpc{s + 1}_max"] = units[f"fpc{s + 1}_max"].to_numpy()
    if not codes:  # rows are the PSUs: one row per stratum
        unit_table = unit_table.groupby("stratum", sort=True).agg(
            n=("n", "sum"), n_pos=("n_pos", "sum"),
            **{c: (c, "min" if c.endswith("min") else "max") for c in unit_table.columns if c.startswith("fpc")}
        ).reset_index()
    strata_table, stage_tables, _ = design_tables(unit_table, spec)
    code_map = units[[c for c in [spec["strata"], *spec["cluster"]] if c is not None]].copy()
    code_map["stratum"] = stratum
    for s, c in enumerate(codes):
        code_map[f"unit{s + 1}"] = c
    n_rows = int(units["n"].sum())
    n_pos = int(units["n_pos"].sum())
    design = SurveyDesign(data=table, **spec, strata_table=strata_table, stage_tables=stage_tables, n_rows=n_rows,
                          n_zero_weight=n_rows - n_pos, degf=design_degf(strata_table))
    object.__setattr__(design, "_code_map", code_map)
    return design


def _aggregate_ibis(design: SurveyDesign, keys: tuple, value) -> Totals:
    table, w = _with_weight(design.data, design.weight)
    units = unit_columns(design)
    design_keys = [c for c in [design.strata, *design.cluster[: len(units)]] if c is not None]
    overlap = [k for k in keys if k in design_keys]
    group_keys = design_keys + [k for k in keys if k not in design_keys]
    metrics = {"n": table.count(), "n_pos": (w > 0).cast("int64").sum(), "sw": w.sum(), "sw2": (w * w).sum()}
    shift = 0.0
    if value is not None:
        y = table[value].cast("float64")
        answered = _finite(y)
        low = table.aggregate(low=y.min(where=answered & (w > 0))).to_pandas()["low"].iloc[0]
        shift = float(low) if pd.notna(low) else 0.0  # as _lowest_counted: the same shift as in memory
        raw = w * y
        y = y - shift
        wy = w * y
        metrics.update(
            n_y=answered.cast("int64").sum(), n_y_pos=(answered & (w > 0)).cast("int64").sum(),
            sw_y=w.sum(where=answered), sw2_y=(w * w).sum(where=answered), swy=wy.sum(where=answered),
            swy2=(wy * y).sum(where=answered), sw2y=(wy * w).sum(where=answered),
            sw2y2=(wy * wy).sum(where=answered), swy_raw=raw.sum(where=answered),
            n_inf=y.isinf().cast("int64").sum())
    query = table.group_by(group_keys).aggregate(**metrics) if group_keys else table.aggregate(**metrics)
    out = query.to_pandas()
    if value is not None:
        if out["n_inf"].sum():
            rows = _rows_where(table, lambda t: t[value].cast("float64").isinf(), design.source)
            raise ValueError(f"column {value!r} has {int(out['n_inf'].sum())} infinite value(s) in {design.source}, "
                             f"e.g. rows {rows} (0-based)")
        out = out.drop(columns="n_inf")
        for name in VALUE_SUMS:
            out[name] = out[name].fillna(0.0)
    code_map = design._code_map
    label_columns = design_keys
    if label_columns:
        codes = code_map[[*label_columns, "stratum", *units]].drop_duplicates(label_columns)
        merged = out.merge(codes, on=label_columns, how="left", validate="many_to_one")
    else:
        merged = out.assign(stratum=0)
    for k in overlap:  # a design column also used as a grouping key keeps its values
        merged[k] = out[k].to_numpy()
    drop = [c for c in design_keys if c not in keys]
    merged = merged.drop(columns=drop)
    merged["stratum"] = merged["stratum"].astype(np.int64)
    for name in ("n", "n_pos", "n_y", "n_y_pos"):
        if name in merged:
            merged[name] = merged[name].astype(np.int64)
    columns = ["stratum", *units, *keys, *[c for c in SUMS + VALUE_SUMS if c in merged.columns]]
    return Totals(merged[columns].reset_index(drop=True), keys, value, tuple(units), {k: None for k in keys}, shift)
