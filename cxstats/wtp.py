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

from ._validate import as_float_array, check_memory, check_open_unit, check_seed, first_bad, plain, whole_number
from .survey import check_columns, survey_weights

MAX_BOOTSTRAP = 10_000  # resamples: each recomputes every curve (milliseconds apiece)
MAX_BOOTSTRAP_ROWS = 50_000_000  # resamples x respondents: about a minute of work
MIN_STEP_SHARE = 1e-4  # smallest interpolation step, as a share of the price range (at most 10,001 prices)
NMS_ARRAYS = 6  # respondents x prices float arrays alive at once in the Newton-Miller-Smith reach

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


def _share_at_or_below(x, w, grid):
    """Weighted share of answers at or below each grid price; 0 at or below the lowest answer and 1 at or above
    the highest (the boundary convention of pricesensitivitymeter)."""
    order = np.argsort(x, kind="stable")
    cum = np.concatenate([[0.0], np.cumsum(w[order])]) / w.sum()
    share = cum[np.searchsorted(x[order], grid, side="right")]
    share[grid <= x.min()] = 0.0
    share[grid >= x.max()] = 1.0
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


def _curves(prices, w, interpolate, step):
    grid = np.unique(prices)
    shares = [_share_at_or_below(prices[:, j], w, grid) for j in range(4)]
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


def _nms(prices, intents, w, grid):
    """Expected purchase probability of every respondent at every grid price, then reach and revenue.

    Each respondent's probability is 0 at their "too cheap" and "too expensive" prices and the calibrated
    intents at "cheap" and "expensive", linear in price in between and constant beyond (R's approx, rule 2).
    """
    x = prices  # respondents x 4, in order
    v = np.column_stack([np.zeros(len(x)), intents[:, 0], intents[:, 1], np.zeros(len(x))])
    g = grid[None, :]
    prob = np.where(g <= x[:, [0]], v[:, [0]], v[:, [3]])
    for k in range(3):  # three line segments per respondent, each evaluated for all respondents at once
        lo, hi = x[:, [k]], x[:, [k + 1]]
        inside = (g >= lo) & (g <= hi) & (hi > lo)
        with np.errstate(divide="ignore", invalid="ignore"):
            line = v[:, [k]] + (v[:, [k + 1]] - v[:, [k]]) * (g - lo) / (hi - lo)
        prob = np.where(inside, line, prob)
    reach = (w[:, None] * prob).sum(axis=0) / w.sum()
    return pd.DataFrame({"price": grid, "reach": reach, "revenue": grid * reach})


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
        ``interpolation_step`` or ``seed`` out of range; a Newton-Miller-Smith
        table of respondents x prices above 2 GiB.

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
    evaluated on the same prices, and the optima are the first maximum.

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
    grid = np.unique(prices[keep])
    if interpolate:
        grid = _fine_grid(grid, interpolation_step)
    _check_bootstrap_work(bootstrap, int(keep.sum()))
    intents = None
    if nms_wanted:
        check_memory("interpolation_step" if interpolate else "pi_cheap, pi_expensive",
                     int(keep.sum()) * grid.size * 8 * NMS_ARRAYS,
                     f"the Newton-Miller-Smith reach is computed for {int(keep.sum()):,} respondents at {grid.size:,} "
                     "prices; use a larger interpolation_step, or round the price answers to fewer distinct prices")
        intents = _intents(df, (pi_cheap, pi_expensive), keep, pi_scale, pi_calibrated)
    curves = _curves(prices[keep], w[keep], interpolate, interpolation_step)
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
        nms = _nms(prices[keep], intents[keep], w[keep], curves["price"].to_numpy())
        reach_price = float(nms["price"].iloc[int(nms["reach"].to_numpy().argmax())])
        revenue_price = float(nms["price"].iloc[int(nms["revenue"].to_numpy().argmax())])
    return VanWestendorpResult(table, curves, int(keep.sum()), int((~consistent).sum()), invalid, nms,
                               reach_price, revenue_price)


def _fine_grid(grid, step):
    """The interpolation grid from the lowest to the highest price, refusing steps that make it too fine."""
    if not isinstance(step, numbers.Real) or isinstance(step, bool | np.bool_) or not np.isfinite(step) or step <= 0:
        raise ValueError(f"interpolation_step must be a positive number of price units, got {plain(step)!r}")
    span = grid[-1] - grid[0]
    smallest = MIN_STEP_SHARE * span
    if step < smallest:
        raise ValueError(f"interpolation_step={plain(step)!r} is below {MIN_STEP_SHARE:g} of the price range "
                         f"{grid[0]:g} to {grid[-1]:g} ({int(span / step) + 1:,} prices); use a step of at least "
                         f"{smallest:.3g}")
    return np.arange(grid[0], grid[-1] + step / 2, step)


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
