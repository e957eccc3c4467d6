"""Small validation helpers shared by every public function.

Every check raises ``ValueError`` (or its subclass :class:`DataError` for
bad data files) with a message naming the argument or field at fault and
what would be valid.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

import numpy as np
import pandas as pd

ALTERNATIVES = ("two-sided", "less", "greater")
MAX_BYTES = 2 * 1024**3  # the largest working memory one call may ask for
MIN_DRAWS = 100  # fewer simulation draws leave too few in each tail for a percentile interval
MAX_DRAWS = 1_000_000  # simulation draws (Krinsky-Robb); vectorized, so a million take seconds


class DataError(ValueError):
    """A data file or table is malformed; the message names file, figure and field."""


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, else raise a ``ValueError``."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"{name}={value!r} is not valid; choose one of: {', '.join(map(repr, choices))}")
    return value


def check_open_unit(name: str, value) -> float:
    """Check that a scalar lies strictly between 0 and 1 (a level, alpha or power)."""
    if not isinstance(value, int | float | np.number) or not np.isfinite(value) or not 0 < value < 1:
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {value!r}")
    return float(value)


def as_float_array(name: str, value) -> np.ndarray:
    """Convert to a 1-d float array and reject non-finite elements, naming the first."""
    try:
        arr = np.atleast_1d(np.asarray(value, dtype=float))
    except (TypeError, ValueError) as err:
        raise ValueError(f"{name} must be numeric, got {value!r}") from err
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a scalar or a 1-d array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty")
    finite = np.isfinite(arr)
    if not finite.all():
        bad = np.flatnonzero(~finite)
        raise ValueError(
            f"{name} must be finite; element {bad[0]} is {arr[bad[0]]} ({bad.size} non-finite element(s) in all)"
        )
    return arr


def first_bad(mask: np.ndarray) -> int | None:
    """Index of the first True element of ``mask``, or None."""
    if not mask.any():  # the common case, without building an index array
        return None
    return int(np.flatnonzero(mask)[0])


def broadcast(**arrays: np.ndarray) -> list[np.ndarray]:
    """Broadcast named 1-d arrays to one length; length-1 arrays stretch, others must match."""
    lengths = {name: arr.size for name, arr in arrays.items()}
    sizes = {size for size in lengths.values() if size != 1}
    if len(sizes) > 1:
        detail = ", ".join(f"{name} has {size}" for name, size in lengths.items())
        raise ValueError(f"array arguments must have the same length (or length 1): {detail}")
    size = sizes.pop() if sizes else 1
    return [arr if arr.size == size else np.broadcast_to(arr, size) for arr in arrays.values()]


def index_of(*values) -> pd.Index | None:
    """The index of the first pandas Series among ``values`` (kept on the output), else None."""
    for value in values:
        if isinstance(value, pd.Series):
            return value.index
    return None


def check_counts(count, nobs, *, suffix: str = "", integer: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Validate successes and bases: finite, 0 <= count <= nobs, nobs > 0 (whole numbers if ``integer``)."""
    cname, nname = f"count{suffix}", f"nobs{suffix}"
    count = as_float_array(cname, count)
    nobs = as_float_array(nname, nobs)
    count, nobs = broadcast(**{cname: count, nname: nobs})
    if (i := first_bad(nobs <= 0)) is not None:
        raise ValueError(f"{nname} must be positive; element {i} is {nobs[i]:g}")
    if (i := first_bad(count < 0)) is not None:
        raise ValueError(f"{cname} must not be negative; element {i} is {count[i]:g}")
    if (i := first_bad(count > nobs)) is not None:
        raise ValueError(f"{cname} must not exceed {nname}; element {i} has {count[i]:g} of {nobs[i]:g}")
    if integer:
        for name, arr in ((cname, count), (nname, nobs)):
            if (i := first_bad(arr != np.round(arr))) is not None:
                raise ValueError(f"{name} must be whole numbers for this method; element {i} is {arr[i]:g}")
    return count, nobs


def plain(value):
    """A numpy scalar as the plain Python value it holds (for messages: 83, not np.int64(83))."""
    return value.item() if isinstance(value, np.generic) else value


def whole_number(name, value, low, high) -> int:
    """Check that ``value`` is a whole number from ``low`` to ``high`` (a count of draws, resamples or steps)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) and (
        isinstance(value, numbers.Integral) or (math.isfinite(value) and float(value).is_integer()))
    if not ok or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {plain(value)!r}")
    return int(value)


def check_seed(seed):
    """Check that ``seed`` can seed ``numpy.random.default_rng`` (None or a non-negative whole number)."""
    try:
        np.random.default_rng(seed)
    except (TypeError, ValueError) as err:
        raise ValueError(f"seed must be a non-negative whole number (or None), got {plain(seed)!r}") from err
    return seed


def check_memory(name, n_bytes, advice) -> None:
    """Refuse work whose arrays would need more than ``MAX_BYTES``, naming the argument and what to do instead."""
    if n_bytes > MAX_BYTES:
        raise ValueError(f"{name}: this would need about {n_bytes / 2**30:.1f} GiB of working memory, above the "
                         f"{MAX_BYTES / 2**30:.0f} GiB limit; {advice}")
