"""The one aggregation behind every respondent-level estimate: respondent rows to sufficient statistics.

:func:`aggregate` turns a survey design, grouping columns and (optionally) a
numeric answer into one small table: per group of rows (stratum, sampling
unit where the design has clusters, then the grouping columns' values) the
number of rows, of rows with a positive weight, and the sums of the weights
and squared weights; with an answer, the same over the rows that answered
plus the sums of w y, w y^2, w^2 y and w^2 y^2. Everything cxstats estimates
from respondents (shares, means, totals, NPS, top-box, crosstabs, design
effects, linearization variances) is computed from this table.

Two implementations compute the same table: numpy for in-memory data (here),
and one Ibis expression for data that stays where it is (a Parquet/CSV file
read by DuckDB, or an Ibis table of any backend: DuckDB, Spark, a
warehouse), which the table's own engine executes (:mod:`cxstats._engine`).
In memory, from ``_COMPILED_FROM`` rows, the sums numpy takes in a pass each
are taken in one compiled loop (:mod:`cxstats._kernels`, numba), adding in
the same order: the same numbers (one group's sums, with every row a PSU,
are added in vector registers instead: equal to rounding).
"""

from __future__ import annotations

import dataclasses
import math
import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.lib import NumpyVersion

from ._validate import plain
from .design import SurveyDesign, sum_and_min, text_labels, weight_values, weights_only_design

SUMS = ("n", "n_pos", "sw", "sw2")
VALUE_SUMS = ("n_y", "n_y_pos", "sw_y", "sw2_y", "swy", "swy2", "sw2y", "sw2y2", "swy_raw")
_RADIX_LIMIT = 1 << 22  # groups numbered directly (no hashing) below this many combinations
_CHUNK = 1 << 16  # rows per chunk when there are few groups
_FEW_GROUPS = 1 << 12  # up to this many possible groups (or a 32nd of the rows), sums are taken chunk by chunk
_COMPILED_FROM = 1 << 19  # rows from which sums are taken by compiled loops (numba; below: numpy passes, and
#   no wait of about a second, once per process, for numba to load)
_COMPILED_GROUPS = 1 << 17  # up to this many groups (more: a numpy pass per sum, whose tables fit the cache)
_KEPT = 1 << 19  # scratch arrays up to this many rows (4 MiB each) are kept for the next call, one set per thread
_scratch_kept = threading.local()
_PAIRED_SUMS = NumpyVersion(np.__version__) >= "1.25.0"  # numpy's fast ufunc.at (older ones: a bincount per sum)


@dataclass(frozen=True)
class Totals:
    """Output of :func:`aggregate`: one row per non-empty group, held as numpy columns.

    ``columns`` holds ``stratum`` (integer code, the row of
    ``design.strata_table``), ``unit1``.. (codes of the sampling units of the
    stages the variance needs; absent when rows are the PSUs) and the sums
    ``n``, ``n_pos``, ``sw``, ``sw2`` (all rows) and, with a value, ``n_y``,
    ``n_y_pos``, ``sw_y``, ``sw2_y``, ``swy``, ``swy2``, ``sw2y``, ``sw2y2``
    (rows that answered) and ``swy_raw``. The value sums are of ``y -
    shift``, with ``shift`` the lowest answer (given with a positive weight)
    of the group's domain (its values of ``keys``; one number, or one per
    group), so that the sums of squares do not lose the spread of answers
    far from zero, or far from another domain's, to rounding (a constant
    answer has exactly no spread); ``swy_raw`` is the sum of w y itself, for
    the estimate. ``codes`` holds one integer code column per grouping key
    (apart from ``columns``, so a key may have any name); its labels are
    ``labels[key]``, a missing value having a code of its own whose label is
    NaN, the last. ``declared[key]`` is the number of a categorical's
    declared categories (the first codes, observed or not), else 0.
    """

    columns: dict
    codes: dict
    keys: tuple
    labels: dict
    declared: dict
    units: tuple
    shift: float | np.ndarray = 0.0
    value: str | None = None  # the answer column summed, to name it in an error (None: scores, or no answer)

    def __len__(self) -> int:
        return len(self.columns["n"])

    def __getitem__(self, name) -> np.ndarray:
        return self.columns[name]

    def __contains__(self, name) -> bool:
        return name in self.columns

    def replace(self, **columns) -> Totals:
        """The same groups with some columns replaced or added."""
        return Totals({**self.columns, **columns}, self.codes, self.keys, self.labels, self.declared, self.units,
                      self.shift, self.value)

    def row_shift(self) -> np.ndarray:
        """The shift of each group's value sums (one float per group)."""
        return np.broadcast_to(np.asarray(self.shift, dtype=float), (len(self),))

    def answers(self, key) -> np.ndarray:
        """The value of grouping column ``key`` in each group (object array, NaN for missing)."""
        return self.labels[key][self.codes[key]]

    def frame(self) -> pd.DataFrame:
        """The groups as a DataFrame, grouping columns by their values (for reading and tests)."""
        design = {name: self.columns[name] for name in ["stratum", *self.units]}
        sums = {name: values for name, values in self.columns.items() if name not in design}
        return pd.DataFrame({**design, **{key: self.answers(key) for key in self.keys}, **sums})


def unit_columns(design: SurveyDesign) -> list:
    """Sampling-unit stages the variance needs: the first, and later ones when the design has an fpc."""
    stages = len(design.cluster)
    if stages == 0:
        return []
    return [f"unit{s + 1}" for s in range(stages if design.fpc else 1)]


def aggregate(design: SurveyDesign, keys=(), value=None, coded=None, lean=False) -> Totals:
    """Sufficient statistics per stratum, sampling unit and group of ``keys`` (see the module docstring).

    ``value`` is the answer column or, in memory, one float per row (NaN when
    missing: an answer already scored). ``coded`` (in memory) gives some keys
    as ``{key: (codes, labels)}``, an integer code per row, instead of a column.
    With ``lean`` (in memory), the sums a mean (or a difference of means)
    does not read are left out: ``swy_raw``, and, when the design has
    sampling units, ``sw2`` and ``sw2_y`` (Kish bases).
    """
    keys = tuple(keys)
    with np.errstate(over="ignore", invalid="ignore"):  # sums that overflow are refused below, by name
        if design.in_memory:
            totals = _aggregate_numpy(design, keys, value, coded or {}, lean)
        else:
            from ._engine import aggregate_table

            totals = aggregate_table(design, keys, value)
    if value is not None:
        _check_value_sums(design, totals, value)
        if isinstance(value, str):
            totals = dataclasses.replace(totals, value=value)
    return totals


def _check_value_sums(design: SurveyDesign, totals: Totals, value) -> None:
    """Answers whose weighted squares overflow are an error (their spread would read as 0 or NaN)."""
    sums = [totals[name] for name in VALUE_SUMS if name in totals]
    if all(np.isfinite(values).all() for values in sums):
        return
    where = ""
    if isinstance(value, str) and design.in_memory and pd.api.types.is_numeric_dtype(design.data[value]):
        answers = pd.to_numeric(design.data[value], errors="coerce")
        row = answers.abs().where(design.weights > 0).idxmax()
        where = f" (the largest in size given a positive weight, {plain(answers[row])}, in row {plain(row)})"
    raise too_large(value if isinstance(value, str) else None, f"to square and sum with their weights{where}")


def too_large(value: str | None, step: str) -> ValueError:
    """The error for answers whose weighted squares overflow at ``step`` (``value``: the column, if one)."""
    what = f"column {value!r}" if value is not None else "the scored answers"
    return ValueError(f"{what}: the answers are too large {step}; rescale the answers (e.g. in thousands) or "
                      "the weights")


# ---------------------------------------------------------------- numpy

def key_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer codes of a grouping column, its labels (object array) and how many are declared categories.

    Missing values get the last code (label NaN) when there are any.
    Small-range integers are coded by offset (no hashing); labels that no row
    has are simply never used.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = values.array.codes  # read in place (Series.cat.codes copies them)
        labels = np.asarray(dtype.categories, dtype=object)
        declared = len(labels)
    else:
        declared = 0
        arr = values.to_numpy()
        if arr.dtype.kind in "iu" and arr.size:
            low, high = int(arr.min()), int(arr.max())
            if high - low < 1 << 16 and -(1 << 62) < low and high < 1 << 62:
                codes = arr  # values from 0 are their own codes (narrow ones too); labels as Python integers
                if low or arr.dtype == np.uint64:  # offsets in 64 bits (a narrow int8 column would wrap)
                    codes = arr.astype(np.int64)
                    codes -= low
                return codes, (low + np.arange(high - low + 1)).astype(object), 0
        if arr.dtype.kind == "b":
            return arr.view(np.int8), np.array([False, True], dtype=object), 0
        codes, uniques = pd.factorize(values, sort=True, use_na_sentinel=True)
        labels = np.array([plain(v) for v in np.asarray(uniques, dtype=object)], dtype=object)
    if codes.size and codes.min() < 0:  # one pass without a temporary when nothing is missing
        codes = np.where(codes < 0, len(labels), codes)
        labels = np.append(labels, np.nan)
    return codes, labels, declared


def _group_ids(parts: list[tuple[np.ndarray, int]]):
    """Combine integer code arrays (each with its number of codes) into one group id per row.

    Returns the ids, the number of possible ids and whether they are dense
    mixed-radix numbers (then empty groups are dropped after summing, which
    costs less than renumbering every row); else the groups found, numbered.
    """
    total = math.prod(max(size, 1) for _, size in parts)
    if total < 1 << 62:
        ids = parts[0][0].astype(np.int64)
        for codes, size in parts[1:]:
            ids *= size
            ids += codes
        if total <= max(_RADIX_LIMIT, len(ids)):
            return ids, total, True
        group, uniques = pd.factorize(ids, sort=True)
        return group, uniques, False
    # too many combinations for one integer: number the groups found, one key at a time
    group = np.zeros(len(parts[0][0]), dtype=np.int64)
    for codes, size in parts:
        group = pd.factorize(group * size + codes, sort=True)[0].astype(np.int64)
    return group, None, False


def _chunked_sums(parts, n_groups, w, y, shift, flags) -> dict:
    """The sums of :func:`_sums` for a few groups (or none), over cache-sized chunks of rows.

    The group ids of a chunk are made from the small code arrays and used for
    every sum while they are in the processor cache; no full-length id array
    or temporary is ever built (allocating those costs more than the sums).
    ``shift`` is a number or one per group.
    """
    total = None
    chunk = max(_CHUNK, 8 * n_groups)  # each chunk's rows outweigh the group sums it writes
    # the chunk's group ids and products; up to _CHUNK more floats: (w, w^2) pairs of a whole chunk, most often
    length = min(chunk, len(w))
    ids_buffer, narrow_buffer, shift_rows, *scratch = _scratch(length + min(length, _CHUNK), 6)
    ids_buffer, narrow_buffer = ids_buffer.view(np.int64), narrow_buffer.view(_id_type(n_groups))
    # with answers, a compiled loop per chunk; without, numpy's narrow tables below take less time
    if parts and y is not None and n_groups <= _COMPILED_GROUPS and _loops(len(w)):
        chunks = ((slice(start, start + chunk), _chunk_ids(parts, slice(start, start + chunk), narrow_buffer,
                                                           ids_buffer[: len(w[start:start + chunk])]))
                  for start in range(0, len(w), chunk))
        return _compiled_sums(chunks, n_groups, w, y, shift, flags)
    if y is None and parts and _PAIRED_SUMS and (flags["row_moments"] or not flags["lean"]):
        return _chunked_weight_sums(parts, n_groups, w, flags["all_positive"], chunk, ids_buffer, narrow_buffer,
                                    scratch[0])
    for start in range(0, len(w), chunk):  # a loop over chunks of rows, each vectorized
        rows = slice(start, start + chunk)
        size = len(w[rows])
        ids = _chunk_ids(parts, rows, narrow_buffer, ids_buffer[:size]) if parts else None
        chunk_shift = np.take(shift, ids, out=shift_rows[:size]) if isinstance(shift, np.ndarray) else shift
        part = _sums(ids, n_groups, w[rows], None if y is None else y[rows], chunk_shift, **flags, scratch=scratch)
        if total is None:
            total = {name: np.array(values, copy=True) for name, values in part.items()}
        else:
            for name, values in total.items():
                values += part[name]
    return total


def _chunked_weight_sums(parts, n_groups, w, all_positive, chunk, ids_buffer, narrow_buffer, buffer,
                         lows=None) -> dict:
    """``n``, ``n_pos``, ``sw`` and ``sw2`` per group (no answer), chunk by chunk: the numbers of :func:`_sums`.

    Each chunk's sums of w and w^2 are taken from zero in row order (as
    :func:`_sum_and_square`, through ``buffer``), then added to the running
    totals, as the sums of every other answer are; the counts are integers,
    added in any order. One loop with no per-chunk tables or copies. With
    ``lows`` (a list: the weights are not checked yet), each chunk's lowest
    weight is appended to it, read while the chunk is in the cache, and tells
    whether all the chunk's weights are positive.
    """
    n = np.zeros(n_groups, dtype=np.int64)
    n_pos = n if all_positive and lows is None else np.zeros(n_groups, dtype=np.int64)
    totals = np.zeros(n_groups, dtype=complex)  # (sw, sw2) as complex numbers: (real, imaginary) parts
    chunk_totals = np.empty(n_groups, dtype=complex)
    block = len(buffer) // 2  # rows of (w, w^2) pairs the buffer holds: the whole chunk, most often
    for start in range(0, len(w), chunk):  # a loop over chunks of rows, each vectorized
        rows = slice(start, start + chunk)
        wc = w[rows]
        ids = _chunk_ids(parts, rows, narrow_buffer, ids_buffer[: len(wc)])
        counts = np.bincount(ids, minlength=n_groups)
        n += counts
        positive = all_positive
        if lows is not None:
            lows.append(wc.min())
            positive = lows[-1] > 0
        if n_pos is not n:
            n_pos += counts if positive else np.bincount(ids, weights=wc > 0, minlength=n_groups).astype(np.int64)
        chunk_totals.fill(0.0)
        for first in range(0, len(wc), block):  # a loop over blocks of rows (one when the buffer holds them all)
            part = wc[first:first + block]
            pairs = buffer[: 2 * len(part)].reshape(-1, 2)
            pairs[:, 0] = part
            np.multiply(part, part, out=pairs[:, 1])
            np.add.at(chunk_totals, ids[first:first + block], pairs.view(complex).ravel())
        totals += chunk_totals
    return {"n": n, "n_pos": n_pos, "sw": totals.real.copy(), "sw2": totals.imag.copy()}


def sums_checking_weights(df: pd.DataFrame, w: np.ndarray, keys: tuple):
    """The counts and weight sums by ``keys`` of a weights-only design of ``df`` with weights ``w`` not yet checked
    (its :func:`aggregate` by them), and the lowest weight, read in the same pass over the rows: a design made for
    these sums reads its weights once. None, before any pass, unless every key is a column of numbers, text or
    categories and the groups are few enough to be summed chunk by chunk.

    Returns (totals, lowest); the totals are to be used only once the weights are found valid (with the sums of
    weights, which are infinite or NaN when some weight is).
    """
    labels, declared, parts = {}, {}, []
    for key in keys:
        values = df[key]
        if not isinstance(values, pd.Series) or values.dtype == object:  # objects may not be codable: the usual way
            return None
        codes, labels[key], declared[key] = key_codes(values)
        parts.append((codes, len(labels[key])))
    possible = math.prod(size for _, size in parts)
    if not parts or not len(w) or not _PAIRED_SUMS or possible > max(_FEW_GROUPS, len(w) // 32):  # as aggregate
        return None
    chunk = max(_CHUNK, 8 * possible)  # the chunks of _chunked_sums: the same sums
    length = min(chunk, len(w))
    ids_buffer, narrow_buffer, buffer = _scratch(length + min(length, _CHUNK), 3)
    lows = []
    with np.errstate(over="ignore", invalid="ignore"):  # weights that overflow are refused by the design's check
        sums = _chunked_weight_sums(parts, possible, w, None, chunk, ids_buffer.view(np.int64),
                                    narrow_buffer.view(_id_type(possible)), buffer, lows)
    present = np.flatnonzero(sums["n"])  # dense group numbers: keep the groups that have rows
    columns = {"stratum": np.zeros(len(present), dtype=np.int64), **{name: sums[name][present] for name in SUMS}}
    codes = dict(zip(keys, _decode(parts, present), strict=True))
    return Totals(columns, codes, keys, labels, declared, ()), float(np.min(lows))  # NaN if any


def _id_type(n_groups) -> type:
    """The narrowest signed integer type that holds ``n_groups`` (every mixed-radix id and every radix)."""
    return next(t for t in (np.int8, np.int16, np.int32, np.int64) if n_groups <= np.iinfo(t).max)


def _chunk_ids(parts, rows, narrow_buffer, ids) -> np.ndarray:
    """The mixed-radix group ids of a chunk's ``rows``, as int64 in ``ids`` (what bincount and ufunc.at read).

    Every partial id is below the number of groups, so they are computed in
    the narrowest integers that hold them (``narrow_buffer``'s type: one byte
    a row for a small table, where int64 arithmetic on the codes cost three
    times as much), then widened in one pass. One key already in int64 codes
    is read in place.
    """
    codes, size = parts[0]
    if len(parts) == 1 and codes.dtype == np.int64:
        return codes[rows]
    mixed = ids if narrow_buffer.dtype == np.int64 else narrow_buffer[: len(ids)]
    np.multiply(codes[rows], parts[1][1] if len(parts) > 1 else 1, out=mixed, dtype=mixed.dtype, casting="unsafe")
    for k in range(1, len(parts)):  # the codes are below their sizes: no partial id leaves the type
        np.add(mixed, parts[k][0][rows], out=mixed, dtype=mixed.dtype, casting="unsafe")
        if k + 1 < len(parts):
            np.multiply(mixed, parts[k + 1][1], out=mixed, dtype=mixed.dtype, casting="unsafe")
    if mixed is not ids:
        np.copyto(ids, mixed)
    return ids


def _scratch(length, count) -> list:
    """``count`` float arrays of ``length`` for a chunk's ids and products, reused from call to call.

    A fresh large array costs a page fault per 4 KiB page when first written
    (here about a microsecond each: as much as the sums themselves), so
    arrays up to ``_KEPT`` rows are kept, one set per thread.
    """
    kept = getattr(_scratch_kept, "arrays", [])
    if len(kept) < count or len(kept[0]) < length:
        kept = [np.empty(max(length, len(kept[0]) if kept else 0)) for _ in range(max(count, len(kept)))]
        if len(kept[0]) <= _KEPT:
            _scratch_kept.arrays = kept
    return [array[:length] for array in kept[:count]]


def _plain_dict(n, sw, sw2, swy, swy2, sw2y, sw2y2, swy_raw=None) -> dict:
    """The one group's sums as :func:`_sums` gives them (every answer counted, every weight positive)."""
    n = np.array([n])
    sw, sw2 = np.array([sw]), np.array([sw2])
    out = {"n": n, "n_pos": n, "sw": sw, "sw2": sw2, "n_y": n, "n_y_pos": n, "sw_y": sw, "sw2_y": sw2,
           "swy": np.array([swy]), "swy2": np.array([swy2]), "sw2y": np.array([sw2y]), "sw2y2": np.array([sw2y2])}
    if swy_raw is not None:
        out["swy_raw"] = np.array([swy_raw])
    return out


def _loops(rows: int):
    """:mod:`cxstats._kernels` (numba, imported when first needed) for sums over ``rows`` rows from
    ``_COMPILED_FROM`` on; None below, or where numba cannot be imported: the numpy passes then take every
    sum, to the same numbers, only slower."""
    if rows < _COMPILED_FROM:
        return None
    try:
        from . import _kernels
    except ImportError:
        return None
    return _kernels


def _plain_sums(w, y, raw=True, weights_checked=True) -> tuple[dict, float, float | None] | None:
    """The sums of :func:`_sums` for one group, a complete answer and positive weights (rows as PSUs), about
    the lowest answer, that answer and the lowest weight; None unless every answer is finite (so the answers
    need no pass of their own to be checked), for the usual way to count or name them. ``raw``: with the sum
    of w y itself (``swy_raw``, for totals).

    The same reads check the weights: None if one is not above 0 or is missing; with
    ``weights_checked=False`` the lowest weight is returned (None otherwise). From ``_COMPILED_FROM`` rows
    the sums are one compiled pass (:func:`cxstats._kernels.plain_sums`); below, a few numpy passes, which
    spare a survey of that size the wait for numba (about a second, once per process).
    """
    if not len(w):
        return None
    if loops := _loops(len(w)):
        ok, lowest, lowest_weight, totals = loops.plain_sums(w, y)
    else:
        ok, lowest, lowest_weight, totals = _plain_sums_numpy(w, y)
    if not (ok and np.isfinite(totals[:6]).all() and (not raw or np.isfinite(totals[6]))):
        return None  # a weight not above 0, an answer missing or infinite, or sums that overflow: the usual way
    return _plain_dict(len(w), *totals[:6], totals[6] if raw else None), float(lowest), (
        None if weights_checked else float(lowest_weight))


def _plain_sums_numpy(w, y) -> tuple[bool, float, float, np.ndarray]:
    """What :func:`cxstats._kernels.plain_sums` returns, from numpy passes over the rows."""
    lowest_weight = float(w.min())  # NaN if one is missing
    if not lowest_weight > 0:
        return False, 0.0, lowest_weight, np.zeros(7)
    y = y.astype(float, copy=False)
    shift = float(y.min())  # NaN or minus infinity: the sums are not finite
    c = y - shift
    wc = w * c
    return True, shift, lowest_weight, np.array([w.sum(), _dot(w, w), wc.sum(), _dot(wc, c), _dot(wc, w),
                                                 _dot(wc, wc), _dot(w, y)])


def _decode(parts, ids: np.ndarray) -> list:
    """The code of each part in each mixed-radix group id."""
    if not parts:
        return []
    decoded, rest = [], ids
    for _codes, size in reversed(parts[1:]):
        rest, code = np.divmod(rest, size)
        decoded.append(code)
    return [rest, *decoded[::-1]]  # what is left is the first part's code


def _dot(a, b) -> float:
    """Sum of a * b in one pass without BLAS threads (which only add overhead for one vector product)."""
    return float(np.einsum("i,i->", a, b))


def _sums(group, n_groups, w, y=None, shift=0.0, complete=False, all_positive=False, row_moments=True,
          lean=False, scratch=None) -> dict:
    """Per-group sums of the module docstring: bincount per sum, dot products when there is one group.

    Passes over the rows are counted: an all-positive weight or a complete
    answer column skips the masks it would otherwise need (the flags say so;
    False is always safe). The sums of squares are of ``y - shift``;
    ``swy_raw`` is the sum of w y. ``sw2y`` and ``sw2y2`` (``row_moments``)
    are only needed when the rows are the PSUs; ``lean`` leaves out what a
    mean does not read: ``swy_raw``, and ``sw2`` unless ``row_moments``.
    Products go to ``scratch`` (three float arrays at least as long as ``w``,
    the first best twice as long, reused from chunk to chunk: a fresh large
    temporary costs a page fault per page each time); with it (a few groups,
    summed chunk by chunk) the sums of w and w^2 are taken in one pass.
    """
    tmp = [buffer[: w.size] for buffer in scratch] if scratch else [np.empty(w.size) for _ in range(3)]
    if group is None:  # one group: sums and dot products
        count = lambda mask=None: np.array([w.size if mask is None else np.count_nonzero(mask)])  # noqa: E731
        add = lambda values: np.array([values.sum()])  # noqa: E731
        add_product = lambda a, b, k=0: np.array([_dot(a, b)])  # noqa: E731
    else:  # the product goes to scratch buffer k, then to one bincount
        count = lambda mask=None: np.bincount(group, weights=mask, minlength=n_groups).astype(np.int64)  # noqa: E731
        add = lambda values: np.bincount(group, weights=values, minlength=n_groups)  # noqa: E731
        add_product = lambda a, b, k=0: add(np.multiply(a, b, out=tmp[k]))  # noqa: E731
    kish = row_moments or not lean  # sums of squared weights
    positive = None if all_positive else w > 0
    n = count()
    out = {"n": n, "n_pos": n if all_positive else count(positive)}
    if kish and group is not None and scratch and _PAIRED_SUMS:  # few groups (chunks): one pass for both
        out["sw"], out["sw2"] = _sum_and_square(group, n_groups, w, scratch[0])
    else:
        out["sw"] = add(w)
        if kish:
            out["sw2"] = add_product(w, w)
    if y is None:
        return out
    complete = complete or not np.isnan(y).any()  # a chunk may be complete where the column is not
    if complete:
        wa, ya = w, y
        out.update(n_y=out["n"], n_y_pos=out["n_pos"], sw_y=out["sw"])
        if kish:
            out["sw2_y"] = out["sw2"]
    else:
        answered = ~np.isnan(y)
        wa, ya = np.where(answered, w, 0.0), np.where(answered, y, 0.0)
        out.update(n_y=count(answered), n_y_pos=count(answered if all_positive else positive & answered),
                   sw_y=add(wa))
        if kish:
            out["sw2_y"] = add_product(wa, wa)
    if not lean:
        out["swy_raw"] = add_product(wa, ya)
    if np.ndim(shift) or shift:
        ya = np.subtract(ya, shift, out=tmp[1])
        if not complete:
            np.copyto(ya, 0.0, where=~answered)
    wy = np.multiply(wa, ya, out=tmp[0])
    out.update(swy=add(wy), swy2=add_product(wy, ya, 2))
    if row_moments:
        out.update(sw2y=add_product(wy, wa, 2), sw2y2=add_product(wy, wy, 2))
    return out


def _compiled_sums(chunks, n_groups, w, y, shift, flags) -> dict:
    """The sums of :func:`_sums` for the groups of many rows, by a compiled loop over each chunk of rows
    ``(rows, ids)`` of ``chunks`` (:func:`cxstats._kernels.group_sums`): one pass where numpy takes one per sum,
    to the same numbers (each chunk's sums from 0 in row order, then added to the totals, as numpy's).
    ``shift`` is a number or one per group."""
    from ._kernels import COUNTS, group_sums
    from ._kernels import SUMS as KERNEL_SUMS

    row_moments, raw = flags["row_moments"], not flags["lean"]
    kish = row_moments or raw
    counts, sums = np.zeros((n_groups, len(COUNTS)), dtype=np.int64), np.zeros((n_groups, len(KERNEL_SUMS)))
    chunk_counts, chunk_sums = np.empty_like(counts), np.empty_like(sums)
    shifts = np.asarray(shift, dtype=float) if np.ndim(shift) else np.full(n_groups, float(shift))
    for rows, ids in chunks:
        group_sums(ids, w[rows], None if y is None else y[rows], shifts, kish, raw, row_moments, chunk_counts,
                   chunk_sums)
        counts += chunk_counts
        sums += chunk_sums
    names = ["n", "n_pos", "sw", *["sw2"] * kish]
    if y is not None:
        names += ["n_y", "n_y_pos", "sw_y", *["sw2_y"] * kish, *["swy_raw"] * raw, "swy", "swy2",
                  *["sw2y", "sw2y2"] * row_moments]
    table = {**dict(zip(COUNTS, counts.T, strict=True)), **dict(zip(KERNEL_SUMS, sums.T, strict=True))}
    return {name: np.ascontiguousarray(table[name]) for name in names}


def _compiled_weight_sums(group, n_groups, w, flags) -> dict:
    """The sums of :func:`_sums` without answers (counts, and sums of weights), by one compiled loop over the
    rows (:func:`cxstats._kernels.group_weight_sums`) where numpy takes a pass per sum."""
    from ._kernels import group_weight_sums

    kish = flags["row_moments"] or not flags["lean"]
    counts, sums = np.zeros((n_groups, 2), dtype=np.int64), np.zeros((n_groups, 2))
    group_weight_sums(group, w, kish, counts, sums)
    out = {"n": counts[:, 0].copy(), "n_pos": counts[:, 1].copy(), "sw": sums[:, 0].copy()}
    if kish:
        out["sw2"] = sums[:, 1].copy()
    return out


def _sum_and_square(group, n_groups, w, buffer) -> tuple[np.ndarray, np.ndarray]:
    """``bincount(group, w)`` and ``bincount(group, w * w)`` in one pass over the group ids: the same numbers.

    The pairs (w, w^2) are added as complex numbers (one scatter-add reads
    each group id once, where two bincounts read it four times); the real
    and imaginary parts are each added in row order from zero, exactly as
    bincount adds. The pairs go through ``buffer`` (a float array), all at
    once if it is twice as long as ``w``, else a block of rows at a time,
    added on to the same totals (the same numbers).
    """
    total = np.zeros(n_groups, dtype=complex)
    block = len(buffer) // 2 or max(len(w), 1)  # rows of pairs the buffer holds (too short for one: a new one)
    buffer = buffer if len(buffer) >= 2 else np.empty(2 * len(w))
    for start in range(0, len(w), block):  # a loop over blocks of rows (one when the buffer holds them all)
        rows = slice(start, start + block)
        pairs = buffer[: 2 * len(w[rows])].reshape(-1, 2)
        pairs[:, 0] = w[rows]
        np.multiply(w[rows], w[rows], out=pairs[:, 1])
        np.add.at(total, group[rows], pairs.view(complex).ravel())
    return total.real.copy(), total.imag.copy()


def numeric_values(design: SurveyDesign, column: str) -> tuple[np.ndarray, bool, float | None]:
    """An in-memory answer column as floats (NaN = missing), or integers, whether it is complete and its lowest.

    Infinite answers are errors naming the rows. One pass when the column is
    complete (the lowest answer is then known; None otherwise).
    """
    series = design.data[column]
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "iub":  # numpy integers or booleans: all finite
        y = series.to_numpy()  # converted chunk by chunk by the sums (a float copy costs more)
        return y, True, float(y.min())
    y = series.to_numpy() if series.dtype == np.float64 else series.to_numpy(dtype=float, na_value=np.nan)
    total, lowest = sum_and_min(y)
    if np.isfinite(total):
        return y, True, lowest
    infinite = np.isinf(y)
    if infinite.any():
        rows = list(series.index[np.flatnonzero(infinite)[:5]])
        raise ValueError(f"column {column!r} has {int(infinite.sum())} infinite value(s), e.g. rows {rows}")
    return y, False, None


def _aggregate_numpy(design: SurveyDesign, keys: tuple, value, coded: dict, lean=False) -> Totals:
    df = design.data
    units = unit_columns(design)
    parts, names = [], []
    if units:
        finest = design.unit_codes[len(units) - 1]
        parts.append((finest, len(design.unit_first_rows[len(units) - 1])))
        names.append(units[-1])
    elif len(design.strata_table) > 1:
        parts.append((design.stratum_codes, len(design.strata_table)))
        names.append("stratum")
    labels, declared = {}, {}
    for key in keys:
        codes, labels[key], declared[key] = (*coded[key], 0) if key in coded else key_codes(df[key])
        parts.append((codes, len(labels[key])))
        names.append(key)
    y, shift, complete = None, 0.0, True
    all_positive = design.n_zero_weight == 0
    if value is not None and not parts and all_positive and (found := _plain_totals(design, value, lean)):
        return Totals(found[0], found[1], keys, labels, declared, (), found[2])
    if value is not None:
        if isinstance(value, np.ndarray):  # scores: finite or NaN
            y, complete, lowest = value, bool(np.isfinite(value.sum())), None
        else:
            y, complete, lowest = numeric_values(design, value)
        if not keys:  # one domain: its lowest answer
            shift = lowest if lowest is not None and all_positive else _lowest_counted(y, design.weights, complete,
                                                                                        all_positive)
    flags = {"complete": complete, "all_positive": all_positive, "row_moments": not units, "lean": lean}
    possible = math.prod(size for _, size in parts)  # Python integers: no overflow however many keys
    if possible <= max(_FEW_GROUPS, len(design.weights) // 32):
        if y is not None and keys:  # each group's value sums about its lowest answer, found by a first pass
            shift = _chunked_lowest(parts, possible, design.weights, y, complete, all_positive)
        sums = _chunked_sums(parts, possible, design.weights, y, _finite_shift(shift), flags)
        present = np.flatnonzero(sums["n"])  # dense group numbers: keep the groups that have rows
        sums = {name: values[present] for name, values in sums.items()}
        decoded = _decode(parts, present)
        shift = shift[present] if isinstance(shift, np.ndarray) else shift
    else:
        group, found, dense = _group_ids(parts)
        n_groups = possible if dense else len(found) if found is not None else int(group.max()) + 1
        if y is not None and keys:
            shift = _lowest_by(group, n_groups, design.weights, y, complete, all_positive)
        if y is None and n_groups <= _COMPILED_GROUPS and _loops(len(group)):
            sums = _compiled_weight_sums(group, n_groups, design.weights, flags)
        else:
            sums = _sums(group, n_groups, design.weights, y, _finite_shift(shift)[group]
                         if isinstance(shift, np.ndarray) else shift, **flags)
        if dense:
            present = np.flatnonzero(sums["n"])
            sums = {name: values[present] for name, values in sums.items()}
            decoded = _decode(parts, present)
            shift = shift[present] if isinstance(shift, np.ndarray) else shift
        elif found is not None:
            decoded = _decode(parts, found)
        else:  # numbered one key at a time: each group's codes from its first row
            first = np.full(n_groups, -1, dtype=np.int64)
            first[group[::-1]] = np.arange(len(group) - 1, -1, -1)
            decoded = [codes[first] for codes, _ in parts]
    columns = dict(zip(names[: len(names) - len(keys)], decoded[: len(names) - len(keys)], strict=True))
    codes = dict(zip(keys, decoded[len(names) - len(keys):], strict=True))
    if units:  # the stratum and the stages above the finest unit, from the finest unit's first row
        first = design.unit_first_rows[len(units) - 1][columns[units[-1]]]
        columns["stratum"] = design.stratum_codes[first]
        for s, unit in enumerate(units[:-1]):
            columns[unit] = design.unit_codes[s][first]
    elif "stratum" not in columns:
        columns["stratum"] = np.zeros(len(sums["n"]), dtype=np.int64)
    ordered = {name: columns[name] for name in ["stratum", *units]}
    ordered.update((name, sums[name]) for name in SUMS + VALUE_SUMS if name in sums)
    if isinstance(shift, np.ndarray):  # each group's lowest answer: moved to its domain's
        index, n_domains = _domain_numbers(codes, keys, labels)
        lowest, gap = lowest_of_domains(shift, index, n_domains)
        ordered.update(moved_sums(ordered, gap))
        shift = lowest[index]
    return Totals(ordered, codes, keys, labels, declared, tuple(units), shift)


def _finite_shift(shift):
    """The shifts to sum about: a group without an answer given with a positive weight (NaN) about 0."""
    return np.nan_to_num(shift, nan=0.0) if isinstance(shift, np.ndarray) else shift


def about_domain_lowest(totals: Totals, index: np.ndarray, D: int) -> tuple[np.ndarray, Totals]:
    """Each of ``D`` domains' lowest answer and the totals' value sums moved to it (``index``: each group's domain).

    The sums of a group come about its own domain's lowest answer (see
    :class:`cxstats._aggregate.Totals`); domains that pool several (a
    segment against the rest) take the lowest of them, so that the sums of
    one domain share one shift, with nothing lost to rounding.
    """
    if "swy" not in totals:
        return np.zeros(D), totals
    if np.ndim(totals.shift) == 0:  # one shift for every group: already common to each domain
        return np.full(D, float(totals.shift)), totals
    shift = totals.row_shift()
    if "n_y_pos" in totals:  # groups without an answer (with a positive weight) do not count
        shift = np.where(totals["n_y_pos"] > 0, shift, np.nan)
    lowest, gap = lowest_of_domains(shift, index, D)
    if gap.any():
        totals = dataclasses.replace(totals, columns={**totals.columns, **moved_sums(totals.columns, gap)})
    return lowest, dataclasses.replace(totals, shift=lowest[index])


def _chunked_lowest(parts, n_groups, w, y, complete, all_positive) -> np.ndarray:
    """The lowest answer given with a positive weight in each group (NaN where none), chunk by chunk."""
    lowest = np.full(n_groups, np.inf)
    ids_buffer, narrow_buffer, values = _scratch(min(_CHUNK, len(w)), 3)
    ids_buffer, narrow_buffer = ids_buffer.view(np.int64), narrow_buffer.view(_id_type(n_groups))
    loops = _loops(len(w))
    for start in range(0, len(w), _CHUNK):  # a loop over chunks of rows, each vectorized
        rows = slice(start, start + _CHUNK)
        ids = _chunk_ids(parts, rows, narrow_buffer, ids_buffer[: len(w[rows])])
        if loops:
            loops.group_lowest(ids, w[rows], y[rows], lowest)
        else:
            _fold_lowest(lowest, ids, w[rows], y[rows], complete, all_positive, values[: len(w[rows])])
    return np.where(np.isinf(lowest), np.nan, lowest)


def _lowest_by(group, n_groups, w, y, complete, all_positive) -> np.ndarray:
    """The lowest answer given with a positive weight in each group of ``group`` (NaN where none)."""
    lowest = np.full(n_groups, np.inf)
    if loops := _loops(len(w)):
        loops.group_lowest(group, w, y, lowest)
    else:
        _fold_lowest(lowest, group, w, y, complete, all_positive, np.empty(len(w)))
    return np.where(np.isinf(lowest), np.nan, lowest)


def _fold_lowest(lowest, ids, w, y, complete, all_positive, buffer) -> None:
    """Lower ``lowest`` (per group, from +inf) to the answers of rows ``ids`` given with a positive weight."""
    values = y
    if not (complete and all_positive and y.dtype == np.float64):  # leave out the others: +inf
        values = np.copyto(buffer, y, casting="unsafe") or buffer
        if not complete:
            np.copyto(values, np.inf, where=np.isnan(values))
        if not all_positive:
            np.copyto(values, np.inf, where=~(w > 0))
    np.minimum.at(lowest, ids, values)


def _domain_numbers(codes: dict, keys: tuple, labels: dict) -> tuple[np.ndarray, int]:
    """The domain (combination of the keys' codes) of each group, numbered from 0, and the number of domains."""
    if math.prod(len(labels[key]) for key in keys) < 1 << 62:  # one mixed-radix number per domain
        ids = np.zeros(len(codes[keys[0]]), dtype=np.int64)
        for key in keys:
            ids = ids * len(labels[key]) + codes[key]
    else:
        ids = np.column_stack([codes[key] for key in keys])
    found, index = np.unique(ids, return_inverse=True, axis=0)
    return index.ravel(), len(found)


def lowest_of_domains(shift: np.ndarray, index: np.ndarray, n_domains: int) -> tuple[np.ndarray, np.ndarray]:
    """Each domain's lowest shift (0 for a domain with no answer) and each group's gap from it (at least 0).

    ``shift`` holds each group's shift (NaN: no answer given with a positive
    weight, so its value sums are 0 about any shift), ``index`` each group's
    domain, of ``n_domains``.
    """
    lowest = np.full(n_domains, np.nan)
    np.fmin.at(lowest, index, shift)
    lowest = np.where(np.isnan(lowest), 0.0, lowest)
    return lowest, np.where(np.isnan(shift), 0.0, shift - lowest[index])


def moved_sums(columns: dict, gap: np.ndarray) -> dict:
    """The value sums of ``columns`` about a shift lower by ``gap`` (per group, at least 0).

    With c = y - shift and d = gap: sum w (c + d) = sum w c + d sum w and
    sum w (c + d)^2 = sum w c^2 + 2 d sum w c + d^2 sum w (likewise with
    w^2). Every term is at least 0 (c >= 0: the shift is at most every answer
    given with a positive weight), so nothing cancels: the moved sums are as
    exact as sums taken about the lower shift directly.
    """
    moved = {"swy": columns["swy"] + gap * columns["sw_y"],
             "swy2": columns["swy2"] + gap * (2 * columns["swy"] + gap * columns["sw_y"])}
    if "sw2y" in columns:
        moved.update(sw2y=columns["sw2y"] + gap * columns["sw2_y"],
                     sw2y2=columns["sw2y2"] + gap * (2 * columns["sw2y"] + gap * columns["sw2_y"]))
    return moved


def _plain_totals(design: SurveyDesign, value, lean=False):
    """The one row of sums when the rows are the PSUs, in one pass over an answer that is checked by the sums
    themselves (finite sums: finite answers): (columns, codes, shift), or None to take the usual way."""
    y = value if isinstance(value, np.ndarray) else design.data[value]
    if not (isinstance(y.dtype, np.dtype) and y.dtype.kind in "fiub"):  # numpy numbers (others: converted first)
        return None
    found = _plain_sums(design.weights, y if isinstance(y, np.ndarray) else y.to_numpy(), raw=not lean)
    if found is None:
        return None
    return plain_columns(found[0]), {}, found[1]


def weights_only(data, column, weight, raw=False, kinds="fiub") -> tuple[SurveyDesign, Totals] | None:
    """The design ``survey_design(data, weight=weight)`` and the sums of a numeric answer ``column`` (no groups),
    from one pass that checks the weights as well as the answers; None to take the usual way, whose checks
    name any fault (a weight missing, negative or 0, an answer missing or infinite), or for anything else
    than a DataFrame with numpy numbers in both columns (the answers of the dtype ``kinds``). ``raw``: with
    ``swy_raw`` (for totals)."""
    if not (isinstance(data, pd.DataFrame) and isinstance(column, str) and isinstance(weight, str)):
        return None
    names = data.columns
    if not (text_labels(names) and names.is_unique and column in names and weight in names):
        return None
    answers, weights = data[column], data[weight]
    if not all(isinstance(x.dtype, np.dtype) and x.dtype.kind in k for x, k in ((answers, kinds), (weights, "fiub"))):
        return None
    w = weight_values(weights)
    with np.errstate(over="ignore", invalid="ignore"):  # sums that are not numbers: the usual way names the fault
        found = _plain_sums(w, answers.to_numpy(), raw=raw, weights_checked=False)
    if found is None:  # a weight of 0 (the design counts them), or any fault
        return None
    sums, shift, lowest_weight = found
    totals = Totals(plain_columns(sums), {}, (), {}, {}, (), shift, column)
    return weights_only_design(data, weight, w, lowest_weight), totals


def plain_columns(sums: dict) -> dict:
    """The columns of :class:`Totals` for the one row of :func:`_plain_sums`."""
    columns = {"stratum": np.zeros(1, dtype=np.int64)}
    columns.update((name, sums[name]) for name in SUMS + VALUE_SUMS if name in sums)
    return columns


def _lowest_counted(y: np.ndarray, w: np.ndarray, complete: bool, all_positive: bool) -> float:
    """The lowest answer given with a positive weight (0 if none): the shift of the value sums.

    Any answer would do; the lowest is the same whichever engine aggregates.
    """
    if complete and all_positive:
        return float(y.min()) if y.size else 0.0
    counted = np.isfinite(y) & (w > 0)
    if not counted.any():
        return 0.0
    return float(np.min(y, where=counted, initial=y[np.argmax(counted)]))  # starting from a counted answer
