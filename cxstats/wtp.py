"""Willingness to pay: Van Westendorp's price sensitivity meter (with the Newton-Miller-Smith extension)
and Gabor-Granger demand curves.

Conventions of :func:`van_westendorp` follow R's ``pricesensitivitymeter``
(``psm_analysis`` defaults), so results can be compared one for one; each
convention is stated where it is applied.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._validate import as_float_array, check_open_unit, check_seed, first_bad, plain, whole_number
from .survey import check_columns, survey_weights

MAX_BOOTSTRAP = 10_000  # resamples: each recomputes every curve (milliseconds apiece)
MAX_BOOTSTRAP_ROWS = 50_000_000  # resamples x respondents: about a minute of work
STEEP = 1e3  # NMS lines with slope x price range above this are summed price by price (rounding)
STEEP_CHUNK = 5_000_000  # (segment, price) pairs evaluated at once for those lines
TIE_SHARE = 1e-9  # NMS reach or revenue this close to the maximum (relatively) ties with it; rounding is ~1e-14
MIN_STEP_SHARE = 1e-4  # smallest interpolation step, as a share of the price range (at most 10,001 prices)

PI_SCALE = (5, 4, 3, 2, 1)
PI_CALIBRATED = (0.7, 0.5, 0.3, 0.1, 0.0)
POINTS = {
    "pmc": "point of marginal cheapness (lower end of the acceptable range)",
    "opp": "optimal price point",
    "idp": "indifference price point",
    "pme": "point of marginal expensiveness (upper end of the acceptable range)",
}


@dataclass(frozen=True)
class VanWestendorpResult:
    """Result of :func:`van_westendorp`.

    Attributes
    ----------
    price_points : pandas.DataFrame
        ``point`` (pmc, opp, idp, pme), ``description``, ``price``,
        ``ci_low``, ``ci_high`` (bootstrap percentile interval; missing
        without ``bootstrap``).
    curves : pandas.DataFrame
        ``price`` and the cumulative shares ``too_cheap``, ``cheap``,
        ``not_cheap``, ``expensive``, ``not_expensive``, ``too_expensive``.
    n_valid, n_invalid : int
        Respondents analysed, and respondents whose four answers were not in
        order (removed when ``validate=True``).
    invalid : pandas.Index
        Index labels of the inconsistent respondents.
    nms : pandas.DataFrame or None
        Newton-Miller-Smith ``price``, ``reach`` (expected share buying),
        ``revenue`` (price x reach), when purchase intents were given.
    optimal_reach_price, optimal_revenue_price : float or None
        Prices maximizing reach and revenue (NMS).
    """

    price_points: pd.DataFrame
    curves: pd.DataFrame
    n_valid: int
    n_invalid: int
    invalid: pd.Index
    nms: pd.DataFrame | None = None
    optimal_reach_price: float | None = None
    optimal_revenue_price: float | None = None

    def to_frame(self) -> pd.DataFrame:
        """The price points."""
        return self.price_points


def _price_matrix(df, columns) -> np.ndarray:
    values = []
    for name in columns:
        col = df[name]
        if not pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            shown = [plain(v) for v in col.dropna().unique()[:5]]
            raise ValueError(f"price column {name!r} must be numeric; it has {col.dtype} values such as {shown}")
        arr = col.to_numpy(dtype=float, na_value=np.nan)
        if (i := first_bad(arr < 0)) is not None:
            raise ValueError(f"price column {name!r} has negative prices, e.g. row {plain(df.index[i])!r} "
                             f"({arr[i]:g}); prices must be 0 or more")
        bad = ~np.isfinite(arr)
        if bad.any():
            raise ValueError(f"price column {name!r} has {bad.sum()} missing or non-finite price(s), "
                             f"e.g. rows {df.index[bad][:5].tolist()}; every respondent needs four prices")
        values.append(arr)
    return np.column_stack(values)


def _sorted_columns(x, with_order=True):
    """Each column of ``x`` sorted, with the order that sorts it (or None): ``[(order, sorted_values), ...]``."""
    if not with_order:
        return [(None, np.sort(x[:, j])) for j in range(x.shape[1])]
    orders = [np.argsort(x[:, j]) for j in range(x.shape[1])]
    return [(order, x[order, j]) for j, order in enumerate(orders)]


def _sums_at(column, values, grid, side):
    """For each grid price, the sum of ``values`` over respondents whose answer is at or below it (``side="right"``)
    or strictly below it (``side="left"``); ``column`` is that answer's ``(order, sorted_values)``. With ``values``
    None, the count of those respondents."""
    order, xs = column
    idx = np.searchsorted(xs, grid, side=side)
    if values is None:
        return idx.astype(float)
    return _running_sum(values[order])[idx]


def _running_sum(values):
    """``[0, v0, v0 + v1, ...]`` with the rounding of each addition added back (error-free transformation of each
    step of the running sum, Ogita, Rump and Oishi 2005), so a difference of two large running sums keeps its digits.
    """
    total = np.cumsum(values)
    before, step, after = total[:-1], values[1:], total[1:]
    added = after - before  # what the rounded sum added; the rest of `step` was lost to rounding (Knuth's TwoSum)
    lost = (before - (after - added)) + (step - added)
    out = np.zeros(values.size + 1)
    out[1:] = total
    out[2:] += np.cumsum(lost)
    return out


def _share_at_or_below(column, w, grid):
    """Weighted share of answers at or below each grid price; 0 at or below the lowest answer and 1 at or above
    the highest (the boundary convention of pricesensitivitymeter). ``w`` None: every respondent weighs the same."""
    xs = column[1]
    total = xs.size if w is None else w.sum()
    share = _sums_at(column, w, grid, "right") / total
    share[grid <= xs[0]] = 0.0
    share[grid >= xs[-1]] = 1.0
    return share


def _crossing(price, first, second):
    """Lowest price where two curves meet (pricesensitivitymeter's method "min"), NaN if they never do.

    The curves meet at every grid price where they are equal, and between neighbouring grid prices where their
    difference changes sign strictly (located by linear interpolation). Where they coincide over a stretch of
    prices, the crossing is that whole stretch and its lowest price is kept: the first grid price where they are
    equal, even when the stretch starts at the lowest price on the grid.
    """
    diff = first - second
    diff[np.abs(diff) < 1e-12] = 0.0  # shares are in [0, 1]: smaller gaps are rounding of equal shares
    sign = np.sign(diff)
    candidates = []
    if (i := first_bad(sign == 0)) is not None:
        candidates.append(price[i])
    if (i := first_bad(sign[:-1] * sign[1:] < 0)) is not None:
        x1, x2, y1, y2 = price[i], price[i + 1], diff[i], diff[i + 1]
        candidates.append(x1 - y1 * (x2 - x1) / (y2 - y1))
    return float(min(candidates)) if candidates else np.nan


def _curves(prices, w, interpolate, step, columns=None):
    """The four cumulative curves at every price named (then interpolated to a fine grid, if asked), from each
    answer column sorted once: memory linear in respondents plus prices. ``columns``: the sorted columns, if
    already at hand (``_sorted_columns``)."""
    grid = np.unique(prices)
    equal = bool((w == w[0]).all())  # equal weights: shares are counts (no order needed to carry the weights)
    if columns is None:
        columns = _sorted_columns(prices, with_order=not equal)
    weights = None if equal else w
    shares = [_share_at_or_below(columns[j], weights, grid) for j in range(4)]
    curves = pd.DataFrame({"price": grid, "too_cheap": 1 - shares[0], "cheap": 1 - shares[1],
                           "expensive": shares[2], "too_expensive": shares[3]})
    if interpolate:
        fine = np.arange(grid.min(), grid.max() + step / 2, step)
        curves = pd.DataFrame({"price": fine, **{c: np.interp(fine, grid, curves[c]) for c in curves.columns[1:]}})
    curves["not_cheap"] = 1 - curves["cheap"]
    curves["not_expensive"] = 1 - curves["expensive"]
    return curves[["price", "too_cheap", "cheap", "not_cheap", "expensive", "not_expensive", "too_expensive"]]


def _points(curves) -> dict:
    p = curves["price"].to_numpy()
    c = {k: curves[k].to_numpy() for k in curves.columns[1:]}
    return {
        "pmc": _crossing(p, c["not_cheap"], c["too_cheap"]),
        "opp": _crossing(p, c["too_expensive"], c["too_cheap"]),
        "idp": _crossing(p, c["expensive"], c["cheap"]),
        "pme": _crossing(p, c["too_expensive"], c["not_expensive"]),
    }


def _nms(prices, intents, w, grid, columns=None):
    """Expected purchase probability summed over respondents at every grid price, then reach and revenue.

    Each respondent's probability is 0 at their "too cheap" and "too expensive" prices and the calibrated
    intents at "cheap" and "expensive", linear in price in between and 0 beyond (R's approx, rule 2). Where a
    respondent's prices are out of order (kept with ``validate=False``), the later of the overlapping line
    segments (too cheap to cheap, cheap to expensive, expensive to too expensive) gives the probability, and a
    segment whose end is not above its start is skipped.

    The sum is never formed respondent by respondent at every price. Between two of a respondent's sorted prices
    (knots) the probability is one line, ``a + b * price``, and at a knot one value; so the sum over respondents at
    a price is the sum of ``a`` and of ``b`` over the respondents whose line spans it, plus the knot values there.
    Each is a difference of cumulative sums over the knots sorted column by column (a line starts after one knot
    and ends before the next), read at every grid price by binary search: time O(n log n + g log n) and memory
    O(n + g) for n respondents and g prices. ``columns``: the sorted answer columns, if at hand and the answers are
    in order (``_sorted_columns``).
    """
    x, n = prices, len(prices)
    shift = grid[0]  # prices measured from the lowest grid price: smaller terms, less rounding in the sums
    valid = x[:, 1:] > x[:, :-1]  # segment k runs from x[:, k] to x[:, k + 1]
    if valid.all():  # answers in order (always so with validate=True): one line per segment, continuous
        columns = _sorted_columns(x) if columns is None else columns
        levels = [np.zeros(n), intents[:, 0], intents[:, 1], np.zeros(n)]
        # on [x_k, x_(k+1)) the probability is segment k's line a_k + b_k * (price - shift); at or below a price,
        # the lines started minus those ended: the sum over answers x_j <= price of (line j minus line j - 1)
        total_a, total_b = np.zeros(grid.size), np.zeros(grid.size)
        before_a = before_b = 0.0
        steep = np.zeros((n, 3), dtype=bool)
        for j in range(4):
            a = b = 0.0
            if j < 3:
                b = (levels[j + 1] - levels[j]) / (x[:, j + 1] - x[:, j])
                # the cumulative sums cancel to within rounding of about 1e-16 x b x (price range): lines steeper
                # than STEEP / (price range), between answers much closer together than the price range, are
                # evaluated price by price instead (few, and each over few prices)
                steep[:, j] = np.abs(b) * (grid[-1] - grid[0]) > STEEP
                b[steep[:, j]] = 0.0
                a = np.where(steep[:, j], 0.0, levels[j] - b * (x[:, j] - shift))
            total_a += _sums_at(columns[j], w * (a - before_a), grid, "right")
            total_b += _sums_at(columns[j], w * (b - before_b), grid, "right")
            before_a, before_b = a, b
        direct = 0.0
        if steep.any():  # each on [x_k, x_(k+1))
            rows, seg = np.nonzero(steep)
            direct = _lines_at_prices(rows, seg, np.searchsorted(grid, x[rows, seg], side="left"),
                                      np.searchsorted(grid, x[rows, seg + 1], side="left"), x,
                                      np.column_stack(levels), w, grid)
    else:
        v = np.column_stack([np.zeros(n), intents[:, 0], intents[:, 1], np.zeros(n)])
        with np.errstate(divide="ignore", invalid="ignore"):
            slope = np.where(valid, (v[:, 1:] - v[:, :-1]) / (x[:, 1:] - x[:, :-1]), 0.0)
        intercept = np.where(valid, v[:, :-1] - slope * (x[:, :-1] - shift), 0.0)  # a + b * (price - shift)
        total_a, total_b, direct, columns = _nms_any_order(x, v, valid, slope, intercept, w, grid)
    reach = (total_a + total_b * (grid - shift) + direct) / w.sum()
    # no respondent between their lowest and highest price: exactly 0 (not the rounding left by the sums)
    active = _sums_at(columns[0], None, grid, "right") - _sums_at(columns[3], None, grid, "left")
    reach[active == 0] = 0.0
    reach = np.clip(reach, 0.0, None)  # the sums cancel to within rounding; a probability is not negative
    return pd.DataFrame({"price": grid, "reach": reach, "revenue": grid * reach})


def _lines_at_prices(rows, seg, start, stop, x, v, w, grid):
    """Weighted sum at every grid price of line segments evaluated price by price: respondent ``rows``' segment
    ``seg`` (the line from ``(x[:, seg], v[:, seg])`` to the next answer) at grid prices ``start`` to ``stop - 1``
    (indices); in chunks of at most ``STEEP_CHUNK`` (segment, price) pairs, so memory stays bounded."""
    total = np.zeros(grid.size)
    counts = np.maximum(stop - start, 0)
    ends = np.cumsum(counts)
    first = 0
    while first < len(rows):
        done = ends[first - 1] if first else 0
        last = max(first + 1, int(np.searchsorted(ends, done + STEEP_CHUNK, side="right")))
        c = counts[first:last]
        pairs = int(c.sum())
        if pairs:
            idx = np.repeat(start[first:last], c) + np.arange(pairs) - np.repeat(np.cumsum(c) - c, c)
            r, k = np.repeat(rows[first:last], c), np.repeat(seg[first:last], c)
            value = v[r, k] + (v[r, k + 1] - v[r, k]) * (grid[idx] - x[r, k]) / (x[r, k + 1] - x[r, k])
            total += np.bincount(idx, weights=w[r] * value, minlength=grid.size)
        first = last
    return total


def _nms_any_order(x, v, valid, slope, intercept, w, grid):
    """The sums of :func:`_nms` when some respondents' answers are out of order (or tie): on each open stretch
    between a respondent's sorted answers (knots) the latest segment covering it gives the line, and at each knot
    the latest segment covering the knot gives the value. Returns the sums of intercepts and slopes, the steep
    stretches summed price by price, and the sorted knot columns."""
    n = len(x)
    knots = np.sort(x, axis=1)
    columns = _sorted_columns(knots)
    # the segment giving the probability on each open stretch between neighbouring knots, and at each knot
    line_a, line_b, direct = np.zeros((n, 3)), np.zeros((n, 3)), np.zeros(grid.size)
    for m in range(3):
        lo, hi = knots[:, m], knots[:, m + 1]
        winner = np.full(n, -1)
        for k in range(3):
            winner[valid[:, k] & (x[:, k] <= lo) & (hi <= x[:, k + 1])] = k
        has = (winner >= 0) & (hi > lo)
        pick = np.where(has, winner, 0)[:, None]
        line_b[:, m] = np.where(has, np.take_along_axis(slope, pick, axis=1)[:, 0], 0.0)
        steep = np.abs(line_b[:, m]) * (grid[-1] - grid[0]) > STEEP  # price by price, as in _nms
        line_b[steep, m] = 0.0
        line_a[:, m] = np.where(has & ~steep, np.take_along_axis(intercept, pick, axis=1)[:, 0], 0.0)
        if steep.any():  # each on the open stretch (lo, hi)
            rows = np.flatnonzero(steep)
            direct += _lines_at_prices(rows, winner[rows], np.searchsorted(grid, lo[rows], side="right"),
                                       np.searchsorted(grid, hi[rows], side="left"), x, v, w, grid)
    at_knot = np.zeros((n, 4))
    for m in range(4):
        t = knots[:, m]
        value = np.zeros(n)
        for k in range(3):
            lo, hi = x[:, k], x[:, k + 1]
            inside = valid[:, k] & (lo <= t) & (t <= hi)
            with np.errstate(divide="ignore", invalid="ignore"):
                line = v[:, k] + (v[:, k + 1] - v[:, k]) * (t - lo) / (hi - lo)
            value = np.where(inside, line, value)
        first = np.ones(n, dtype=bool) if m == 0 else knots[:, m] > knots[:, m - 1]  # a repeated knot counts once
        at_knot[:, m] = np.where(first, value, 0.0)
    # at a grid price p: sum over knots t < p of (a, b of the stretch starting at t, minus the knot's value),
    # plus sum over knots t <= p of (the knot's value, minus a, b of the stretch ending at t)
    total_a, total_b = np.zeros(grid.size), np.zeros(grid.size)
    for m in range(4):
        start_a = (line_a[:, m] if m < 3 else 0.0) - at_knot[:, m]
        end_a = at_knot[:, m] - (line_a[:, m - 1] if m > 0 else 0.0)
        total_a += _sums_at(columns[m], w * start_a, grid, "left") + _sums_at(columns[m], w * end_a, grid, "right")
        if m < 3:
            total_b += _sums_at(columns[m], w * line_b[:, m], grid, "left")
        if m > 0:
            total_b -= _sums_at(columns[m], w * line_b[:, m - 1], grid, "right")
    return total_a, total_b, direct, columns


def van_westendorp(data, too_cheap, cheap, expensive, too_expensive, *, pi_cheap=None, pi_expensive=None,
                   weight=None, validate=True, interpolate=False, interpolation_step=0.01, pi_scale=PI_SCALE,
                   pi_calibrated=PI_CALIBRATED, bootstrap=0, conf_level=0.95, seed=0) -> VanWestendorpResult:
    """Van Westendorp price sensitivity meter, with the Newton-Miller-Smith extension.

    Each respondent names four prices: too cheap (quality doubted), cheap (a
    bargain), expensive (but still considered) and too expensive (not
    considered). The cumulative shares of these answers cross at the price
    points: the acceptable range runs from the point of marginal cheapness
    (not cheap = too cheap) to the point of marginal expensiveness (too
    expensive = not expensive); the optimal price point is where as many find
    it too cheap as too expensive; the indifference point where as many find it
    cheap as expensive.

    Parameters
    ----------
    data : pandas.DataFrame or SurveyDesign
        One row per respondent, in memory (the curves need every respondent's
        four prices); a design supplies its weights.
    too_cheap, cheap, expensive, too_expensive : str
        Price columns.
    pi_cheap, pi_expensive : str, optional
        Purchase-intent answers at the "cheap" and "expensive" prices, on
        ``pi_scale``; with both, the Newton-Miller-Smith extension is computed.
    weight : str, optional
        Survey weights (weighted shares; not compared with R).
    validate : bool, default True
        Remove respondents whose answers are not strictly increasing (too
        cheap < cheap < expensive < too expensive). They are counted and
        listed, never dropped silently; with ``validate=False`` they are kept.
    interpolate : bool, default False
        Evaluate the curves on a fine grid (``interpolation_step``) by linear
        interpolation, instead of only at the prices respondents named.
    interpolation_step : float, default 0.01
        Spacing of that grid, in price units; at least 1e-4 of the price
        range (so at most 10,001 prices).
    pi_scale, pi_calibrated : sequences
        The purchase-intent answers and the purchase probability each stands
        for (default: 5 = 70%, 4 = 50%, 3 = 30%, 2 = 10%, 1 = 0%, the
        calibration of pricesensitivitymeter). "Too cheap" and "too
        expensive" prices get probability 0.
    bootstrap : int, default 0
        Resamples for percentile intervals of the price points (seeded); at
        most 10,000, and at most 50 million resampled respondents in all. A
        point missing in any resample (its curves do not cross there) has no
        interval.
    conf_level : float, default 0.95
    seed : int, default 0

    Returns
    -------
    VanWestendorpResult
        A price point whose two curves never meet is missing (NaN).

    Raises
    ------
    ValueError
        A missing, non-numeric, negative or missing-valued price column; no
        respondent, or none with prices in order; purchase intents off
        ``pi_scale``; weights that are all zero; ``bootstrap``,
        ``interpolation_step`` or ``seed`` out of range.

    Notes
    -----
    Conventions (those of R's ``pricesensitivitymeter::psm_analysis``
    defaults, which the tests reproduce): the curves are evaluated at every
    price any respondent named (the valid respondents' answers); a share "at or
    below" a price is 0 at or below the lowest answer and 1 at or above the
    highest; two curves meet at every price where they are equal and where
    their difference changes sign (located by linear interpolation between
    neighbouring prices), and the lowest such price is the price point
    (``intersection_method = "min"``). Tie rule: where two curves coincide
    over a stretch of prices they meet along all of it, and the price point is
    the lowest price of the stretch, also when it starts at the lowest price
    named (e.g. everyone answers 0 to "too cheap"). NMS reach and revenue are
    evaluated on the same prices, and the optima are the first maximum (values
    within 1e-9 of the maximum, relatively, tie with it).

    The NMS reach is summed without a respondents x prices table: each
    respondent's purchase probability is a line between neighbouring answers,
    and the lines are added up as cumulative sums over the answers sorted
    (memory linear in respondents plus prices); lines much steeper than the
    price range (answers closer together than about 0.1% of the range) are
    added price by price. It equals the sum respondent by respondent up to rounding
    (below 1e-13 in the tests, which compare the two on random answers).

    References
    ----------
    Van Westendorp, P. H. (1976). NSS Price Sensitivity Meter: a new approach
    to study consumer perception of prices. Proceedings of the 29th ESOMAR
    Congress, 139-167.
    Newton, D., Miller, J. and Smith, P. (1993). A market acceptance extension
    to traditional price sensitivity measurement. Proceedings of the American
    Marketing Association Advanced Research Techniques Forum.

    Examples
    --------
    >>> import pandas as pd
    >>> cheap, expensive = [3, 4, 5, 6, 7], [5, 6, 7, 8, 9]
    >>> df = pd.DataFrame({"tc": [p - 2 for p in cheap], "c": cheap, "e": expensive, "te": [p + 3 for p in expensive]})
    >>> van_westendorp(df, "tc", "c", "e", "te").price_points[["point", "price"]].round(2)
      point  price
    0   pmc   3.67
    1   opp   5.00
    2   idp   5.67
    3   pme   8.33
    """
    from .design import SurveyDesign

    conf_level = check_open_unit("conf_level", conf_level)
    bootstrap = whole_number("bootstrap", bootstrap, 0, MAX_BOOTSTRAP)
    check_seed(seed)
    columns = [too_cheap, cheap, expensive, too_expensive]
    if isinstance(data, SurveyDesign):
        if weight is not None:
            raise ValueError("data is a survey design, which carries its weights; drop weight=")
        if not data.in_memory:
            raise ValueError("van_westendorp needs the respondents in memory; read the file with "
                             "cxstats.read_responses and pass the DataFrame")
        df, w = data.data, data.weights
    elif isinstance(data, pd.DataFrame):
        df, w = data, None
    else:
        raise ValueError(f"van_westendorp needs a DataFrame of respondents (or an in-memory survey design), got "
                         f"{type(data).__name__}; read a file with cxstats.read_responses")
    if len(df) == 0:
        raise ValueError("data has no respondents; the price curves need at least one")
    nms_wanted = pi_cheap is not None or pi_expensive is not None
    if nms_wanted and (pi_cheap is None or pi_expensive is None):
        raise ValueError("give both pi_cheap and pi_expensive for the Newton-Miller-Smith extension")
    check_columns(df, *columns, pi_cheap, pi_expensive)
    prices = _price_matrix(df, columns)
    w = survey_weights(df, weight) if w is None else w
    consistent = np.all(np.diff(prices, axis=1) > 0, axis=1)
    invalid = df.index[~consistent]
    if not consistent.any():
        raise ValueError(f"all {len(df)} respondents gave prices out of order (too cheap < cheap < expensive < "
                         "too expensive fails for everyone); check the column order")
    keep = consistent if validate else np.ones(len(df), dtype=bool)
    if not w[keep].sum() > 0:
        raise ValueError(f"every respondent analysed has weight 0 in {weight or 'the design'}; the shares need "
                         "some positive weight")
    if interpolate:
        _check_step(prices[keep].min(), prices[keep].max(), interpolation_step)
    _check_bootstrap_work(bootstrap, int(keep.sum()))
    intents = None
    if nms_wanted:
        intents = _intents(df, (pi_cheap, pi_expensive), keep, pi_scale, pi_calibrated)
    analysed, w_analysed = prices[keep], w[keep]
    # each answer column sorted once, for the curves and the NMS sums (orders are needed to carry weights or intents)
    columns = _sorted_columns(analysed, with_order=nms_wanted or not bool((w_analysed == w_analysed[0]).all()))
    curves = _curves(analysed, w_analysed, interpolate, interpolation_step, columns)
    points = _points(curves)
    low = high = np.full(4, np.nan)
    if bootstrap:
        rng = np.random.default_rng(seed)
        rows = np.flatnonzero(keep)
        draws = []
        for _ in range(bootstrap):  # one recomputation per resample
            pick = rng.choice(rows, size=rows.size, replace=True)
            draws.append(list(_points(_curves(prices[pick], w[pick], interpolate, interpolation_step)).values()))
        draws = np.array(draws)
        alpha = 1 - conf_level
        # a point missing in any resample (curves that do not cross) leaves its interval missing
        low, high = np.quantile(draws, alpha / 2, axis=0), np.quantile(draws, 1 - alpha / 2, axis=0)
    table = pd.DataFrame({"point": list(POINTS), "description": list(POINTS.values()),
                          "price": [points[k] for k in POINTS], "ci_low": low, "ci_high": high})
    nms = reach_price = revenue_price = None
    if nms_wanted:
        nms = _nms(analysed, intents[keep], w_analysed, curves["price"].to_numpy(), columns)
        reach_price = _first_maximum(nms["price"].to_numpy(), nms["reach"].to_numpy())
        revenue_price = _first_maximum(nms["price"].to_numpy(), nms["revenue"].to_numpy())
    return VanWestendorpResult(table, curves, int(keep.sum()), int((~consistent).sum()), invalid, nms,
                               reach_price, revenue_price)


def _first_maximum(price, value) -> float:
    """The lowest price where ``value`` is at its maximum; values within ``TIE_SHARE`` of the maximum tie (the NMS
    sums carry rounding, so an exact tie, e.g. two respondents alike at two prices, is kept a tie)."""
    top = value.max()
    return float(price[first_bad(value >= top - TIE_SHARE * abs(top))])


def _check_step(low, high, step):
    """Refuse interpolation steps that are not positive numbers or make the grid from ``low`` to ``high`` too fine."""
    if not isinstance(step, numbers.Real) or isinstance(step, bool | np.bool_) or not np.isfinite(step) or step <= 0:
        raise ValueError(f"interpolation_step must be a positive number of price units, got {plain(step)!r}")
    span = high - low
    smallest = MIN_STEP_SHARE * span
    if step < smallest:
        raise ValueError(f"interpolation_step={plain(step)!r} is below {MIN_STEP_SHARE:g} of the price range "
                         f"{low:g} to {high:g} ({int(span / step) + 1:,} prices); use a step of at least "
                         f"{smallest:.3g}")


def _check_bootstrap_work(bootstrap, n_rows):
    """Refuse bootstraps that would resample more than ``MAX_BOOTSTRAP_ROWS`` respondents in all."""
    if bootstrap * n_rows > MAX_BOOTSTRAP_ROWS:
        allowed = MAX_BOOTSTRAP_ROWS // n_rows
        raise ValueError(f"bootstrap={bootstrap:,} resamples of {n_rows:,} respondents would take minutes; use at "
                         f"most bootstrap={allowed:,} here")


def _intents(df, columns, keep, pi_scale, pi_calibrated) -> np.ndarray:
    """Purchase probabilities of the kept respondents' intent answers, from the scale and its calibration."""
    pi_scale, pi_calibrated = list(pi_scale), list(pi_calibrated)
    if len(pi_scale) != len(pi_calibrated) or len(set(pi_scale)) != len(pi_scale):
        raise ValueError(f"pi_scale {pi_scale} and pi_calibrated {pi_calibrated} must pair each distinct answer "
                         "with one probability (same length, no repeated answer)")
    probs = as_float_array("pi_calibrated", pi_calibrated)
    if not ((probs >= 0) & (probs <= 1)).all():
        raise ValueError(f"pi_calibrated must be purchase probabilities from 0 to 1, got {probs.tolist()}")
    scale = dict(zip(pi_scale, probs, strict=True))
    intents = np.column_stack([df[c].map(scale).to_numpy(dtype=float, na_value=np.nan) for c in columns])
    for j, name in enumerate(columns):
        bad = np.isnan(intents[:, j]) & keep
        if bad.any():
            shown = [plain(v) for v in df.loc[bad, name].unique()[:5]]
            raise ValueError(f"purchase intents must be one of {[plain(v) for v in pi_scale]} (pi_scale); column "
                             f"{name!r} has {shown} in rows {df.index[bad][:5].tolist()}")
    return intents


@dataclass(frozen=True)
class GaborGrangerResult:
    """Result of :func:`gabor_granger`.

    Attributes
    ----------
    demand : pandas.DataFrame
        ``price``, ``estimate`` (share who would buy), ``se``, ``ci_low``,
        ``ci_high`` (design-based, as :func:`cxstats.weighted_proportion`),
        ``n`` (answers), ``n_missing``, ``revenue`` (price x share),
        ``elasticity`` (arc elasticity from the previous price; missing for
        the first, and where no one buys at either price).
    optimal_price : float
        The price with the highest revenue per respondent (the lowest such
        price if several tie).
    n_inconsistent : int
        Respondents who would buy at a higher price but not at a lower one
        (kept, and counted so the reader can judge).
    """

    demand: pd.DataFrame
    optimal_price: float
    n_inconsistent: int

    def to_frame(self) -> pd.DataFrame:
        """The demand table."""
        return self.demand


def gabor_granger(data, price_columns, *, weight=None, conf_level=0.95, method="logit") -> GaborGrangerResult:
    """Gabor-Granger demand curve: the share who would buy at each tested price, revenue and elasticities.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        One row per respondent (see :func:`cxstats.survey_design`).
    price_columns : dict
        ``{price: column}``: for each tested price, the 0/1 (or boolean)
        "would buy" answers. Missing answers are left out at that price (and
        counted in ``n_missing``).
    weight : str, optional
        Survey weights (not with a design).
    conf_level : float, default 0.95
    method : str, default "logit"
        Interval for each share, as :func:`cxstats.weighted_proportion`.

    Returns
    -------
    GaborGrangerResult

    Raises
    ------
    ValueError
        Fewer than two prices, a negative or non-numeric price, a missing
        column, a column without answers, answers other than 0/1 (named),
        invalid weights, no one buying at any price with a positive price.

    Notes
    -----
    Each price's share is a design-based proportion (the same route and
    numbers as :func:`cxstats.weighted_proportion`). The arc elasticity
    between neighbouring prices is ((q2 - q1) / mean(q1, q2)) / ((p2 - p1) /
    mean(p1, p2)); below -1 demand is elastic (revenue falls as the price
    rises).

    References
    ----------
    Gabor, A. and Granger, C. W. J. (1966). Price as an indicator of quality:
    report on an enquiry. Economica 33(129), 43-70.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"b10": [1, 1, 1, 1], "b15": [1, 1, 0, 1], "b20": [1, 0, 0, 0]})
    >>> res = gabor_granger(df, {10: "b10", 15: "b15", 20: "b20"})
    >>> res.demand[["price", "estimate", "revenue"]]
       price  estimate  revenue
    0     10      1.00    10.00
    1     15      0.75    11.25
    2     20      0.25     5.00
    >>> res.optimal_price
    15
    """
    from .design import check_columns
    from .survey import as_design, weighted_proportion

    if not isinstance(price_columns, dict) or len(price_columns) < 2:
        raise ValueError("price_columns must map at least two tested prices to their answer columns, e.g. "
                         "{10: 'buy_at_10', 15: 'buy_at_15'}")
    bad = [plain(p) for p in price_columns if not _is_price(p)]
    if bad:
        raise ValueError(f"tested prices (the keys of price_columns) must be non-negative numbers; {bad} are not")
    prices = sorted(plain(p) for p in price_columns)
    columns = [price_columns[p] for p in prices]
    design, _ = as_design(data, columns[0], weight)
    check_columns(design.data, *columns, where=design.source)
    shares = pd.concat([weighted_proportion(design, c, conf_level=conf_level, method=method) for c in columns],
                       ignore_index=True)
    demand = pd.DataFrame({"price": prices})
    for name in ("estimate", "se", "ci_low", "ci_high", "n", "n_missing"):
        demand[name] = shares[name].to_numpy()
    if (i := first_bad(demand["n"].to_numpy() == 0)) is not None:
        raise ValueError(f"column {columns[i]!r} (price {prices[i]}) has no answers; every tested price needs some")
    demand["revenue"] = demand["price"] * demand["estimate"]
    q, p = demand["estimate"].to_numpy(), demand["price"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):  # no one buying at either price: elasticity undefined
        arc = ((q[1:] - q[:-1]) / ((q[1:] + q[:-1]) / 2)) / ((p[1:] - p[:-1]) / ((p[1:] + p[:-1]) / 2))
    demand["elasticity"] = np.concatenate([[np.nan], arc])
    revenue = demand["revenue"].to_numpy()
    if not (revenue > 0).any():
        raise ValueError(f"revenue (price x share buying) is 0 at every tested price (columns {columns}): no "
                         "respondent would buy at a positive price, so there is no revenue-maximizing price")
    optimal = prices[int(np.argmax(revenue))]  # ties: the lowest of the prices with the highest revenue
    return GaborGrangerResult(demand, optimal, _inconsistent(design, columns))


def _is_price(value) -> bool:
    """Whether ``value`` is a finite, non-negative number (numpy scalars included, booleans not)."""
    return (isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_) and bool(np.isfinite(value))
            and value >= 0)


def _inconsistent(design, columns) -> int:
    """Respondents who would buy at a higher price but not at a lower one."""
    if design.in_memory:
        answers = np.column_stack([design.data[c].to_numpy(dtype=float, na_value=np.nan) for c in columns])
        return int((np.diff(np.nan_to_num(answers, nan=0.0), axis=1) > 0).any(axis=1).sum())
    table = design.data
    flags = [(table[hi].fill_null(0).cast("float64") > table[lo].fill_null(0).cast("float64"))
             for lo, hi in zip(columns[:-1], columns[1:], strict=True)]
    condition = flags[0]
    for flag in flags[1:]:
        condition = condition | flag
    return int(table.filter(condition).count().to_pyarrow().as_py())
