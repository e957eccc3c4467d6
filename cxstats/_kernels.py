"""Loops compiled with numba, for sums that numpy can only take in several passes over the rows.

Imported where first needed (so ``import cxstats`` does not import numba).
A loop is compiled on its first call for each type of answer (a second or
two), then kept in numba's on-disk cache for the next process.
"""

import numba
import numpy as np

# answer types the loops read as they are (booleans as bytes); others are converted to float64 first
_NATIVE = frozenset(np.dtype(t) for t in ("float64", "float32", "int64", "int32", "int16", "int8", "uint64",
                                          "uint32", "uint16", "uint8"))
BLOCK = 4096  # rows read at a time: their lowest answer, then their sums, while they are in the processor cache


def _compiled(reassociate=True, **options):
    """numba's ``njit``, cached on disk where it can be. With ``reassociate``, sums may be reassociated (so
    they run on vector registers), while NaN and infinity keep their meaning; without, each sum is added in
    row order, as numpy's ``bincount`` adds."""
    options = {"nogil": True, **options}
    if reassociate:
        options["fastmath"] = {"reassoc", "contract"}

    def compile_(func):
        try:
            return numba.njit(cache=True, **options)(func)
        except RuntimeError:  # no writable place for the cache: compiled in each process instead
            return numba.njit(**options)(func)

    return compile_


def plain_sums(w: np.ndarray, y: np.ndarray) -> tuple[bool, float, float, np.ndarray]:
    """Sums of one group with every row a PSU, in one pass over ``w`` and ``y`` (1-d, of the same length).

    Returns ``(ok, shift, lowest_weight, sums)``: ``ok`` is False as soon as
    a block holds a weight that is not above 0; ``shift`` is the lowest
    answer; ``sums`` holds sum w, w^2, w c, w c^2, w^2 c, w^2 c^2
    (c = y - shift) and w y. A NaN weight (even every weight NaN), like a
    NaN or infinite answer, leaves ``ok`` True but makes the sums NaN or
    infinite: the caller checks them before using them.

    The rows are read ``BLOCK`` at a time: a block's lowest answer first,
    then its sums about that answer while the block is in the processor
    cache; the sums are then moved to the lowest answer so far (a move by
    d >= 0: sum w (c + d)^2 = sum w c^2 + 2 d sum w c + d^2 sum w, every
    term at least 0 since c >= 0), so they are as exact as sums taken about
    the lowest answer directly, however far one block's answers lie from
    the rest's.
    """
    return _plain_sums(_floats(w), _readable(y), BLOCK)


def _readable(y: np.ndarray) -> np.ndarray:
    """Answers in a type the loops read: booleans as bytes, float16, long double or bytes in another order than
    this machine's as float64."""
    if y.dtype == np.bool_:
        return y.view(np.uint8)
    return y if y.dtype in _NATIVE else y.astype(np.float64)


def _floats(w: np.ndarray) -> np.ndarray:
    return w if w.dtype == np.float64 else w.astype(np.float64)


COUNTS = ("n", "n_pos", "n_y", "n_y_pos")  # the columns of group_sums' counts, in order
SUMS = ("sw", "sw2", "sw_y", "sw2_y", "swy_raw", "swy", "swy2", "sw2y", "sw2y2")  # and of its sums


def group_sums(ids, w, y, shift, kish, raw, row_moments, counts, sums) -> None:
    """The rows' counts and sums by group ``ids`` (1-d integers, a group per row), written over ``counts``
    (int64, groups x ``COUNTS``) and ``sums`` (float64, groups x ``SUMS``), in one pass.

    ``y`` (or None: counts and weight sums only) are the answers, NaN where
    missing; the value sums are of c = y - shift, ``shift`` one number per
    group (1-d float64). Sums of w^2 with ``kish``, of w y with ``raw``, of
    w^2 c and w^2 c^2 with ``row_moments``; the others are 0. Each group's
    sums are added from 0 row by row in row order, as numpy's ``bincount``
    adds them: the same numbers.
    """
    has_y = y is not None
    _group_sums(ids, _floats(w), _readable(y) if has_y else w, shift, has_y, kish, raw, row_moments, counts, sums)


def group_weight_sums(ids, w, kish, counts, sums) -> None:
    """The rows' counts (n, n_pos) and weight sums (w, and w^2 with ``kish``) by group ``ids``, written over
    ``counts`` (int64, groups x 2) and ``sums`` (float64, groups x 2): :func:`group_sums` without answers, in
    tables narrow enough that many groups stay in the processor cache."""
    _group_weight_sums(ids, _floats(w), kish, counts, sums)


def group_lowest(ids, w, y, lowest) -> None:
    """Lower ``lowest`` (float64, one per group) to the answers ``y`` of rows ``ids`` given (not NaN) with a
    positive weight, in place."""
    _group_lowest(ids, _floats(w), _readable(y), lowest)


@_compiled(inline="always")
def _lowest(w, y):
    """The lowest answer and the lowest weight of a block."""
    low, w_low = np.inf, np.inf
    for i in range(w.shape[0]):
        low = min(low, float(y[i]))
        w_low = min(w_low, w[i])
    return low, w_low


@_compiled(inline="always")
def _block_sums(w, y, low, out):
    """A block's sums of w, w^2, w c, w c^2, w^2 c, w^2 c^2 (c = y - ``low``) and w y, into ``out``."""
    sw = sw2 = swc = swc2 = sw2c = sw2c2 = swy = 0.0
    for i in range(w.shape[0]):
        wi, yi = w[i], float(y[i])
        c = yi - low
        wc = wi * c
        sw += wi
        sw2 += wi * wi
        swc += wc
        swc2 += wc * c
        sw2c += wc * wi
        sw2c2 += wc * wc
        swy += wi * yi
    out[0], out[1], out[2], out[3], out[4], out[5], out[6] = sw, sw2, swc, swc2, sw2c, sw2c2, swy


@_compiled()
def _plain_sums(w, y, block):
    shift, lowest_weight = np.inf, np.inf
    total, part = np.zeros(7), np.zeros(7)
    for start in range(0, w.shape[0], block):
        wb, yb = w[start:start + block], y[start:start + block]
        low, w_low = _lowest(wb, yb)
        if not w_low > 0.0:
            return False, shift, w_low, total
        lowest_weight = min(lowest_weight, w_low)
        _block_sums(wb, yb, low, part)
        if low < shift:  # the sums so far move down to this block's lowest answer
            if shift < np.inf:
                _move(total, shift - low)
            shift = low
        else:  # this block's sums move down to the lowest answer so far
            _move(part, low - shift)
        total += part
    return True, shift, lowest_weight, total


@_compiled(inline="always")
def _move(sums, d):
    """Sums about a shift moved to a shift lower by ``d`` (at least 0), in place."""
    sums[3] += d * (2.0 * sums[2] + d * sums[0])
    sums[2] += d * sums[0]
    sums[5] += d * (2.0 * sums[4] + d * sums[1])
    sums[4] += d * sums[1]


@_compiled(reassociate=False)
def _group_sums(ids, w, y, shift, has_y, kish, raw, row_moments, counts, sums):
    counts[:] = 0
    sums[:] = 0.0
    for i in range(ids.shape[0]):
        g, wi = ids[i], w[i]
        positive = wi > 0.0
        counts[g, 0] += 1
        counts[g, 1] += positive
        sums[g, 0] += wi
        if kish:
            sums[g, 1] += wi * wi
        if not has_y:
            continue
        yi = float(y[i])
        if yi != yi:  # missing
            continue
        counts[g, 2] += 1
        counts[g, 3] += positive
        sums[g, 2] += wi
        if kish:
            sums[g, 3] += wi * wi
        if raw:
            sums[g, 4] += wi * yi
        c = yi - shift[g]
        wc = wi * c
        sums[g, 5] += wc
        sums[g, 6] += wc * c
        if row_moments:
            sums[g, 7] += wc * wi
            sums[g, 8] += wc * wc


@_compiled(reassociate=False)
def _group_weight_sums(ids, w, kish, counts, sums):
    counts[:] = 0
    sums[:] = 0.0
    for i in range(ids.shape[0]):
        g, wi = ids[i], w[i]
        counts[g, 0] += 1
        counts[g, 1] += wi > 0.0
        sums[g, 0] += wi
        if kish:
            sums[g, 1] += wi * wi


@_compiled(reassociate=False)
def _group_lowest(ids, w, y, lowest):
    for i in range(ids.shape[0]):
        yi = float(y[i])
        if w[i] > 0.0 and yi < lowest[ids[i]]:  # a missing answer (NaN) is never lower
            lowest[ids[i]] = yi
