"""Fisher's exact test for many 2x2 tables at once, as R's ``fisher.test``, each table over its own support.

The tables of one call are laid end to end in one flat ("ragged") array: a
row's stretch holds the possible values of its first cell, so the work of a
row follows its own support, not the widest in the call. Where a support is
wide, only the stretch that carries weight is laid out: a window around the
null mean and the observed count, checked afterwards (every row whose
window's edges are not negligible is redone over its whole support).

With margins fixed, the first cell ``X`` of a table with bases ``m`` (group 1)
and ``n`` (group 2) and ``K`` successes in all is hypergeometric; under an
odds ratio ``psi`` its weights are ``C(m, k) C(n, K - k) psi^k`` over
``max(0, K - n) <= k <= min(K, m)`` (Fisher's noncentral hypergeometric).
Consecutive weights have the ratio ``(K - k)(m - k) / ((k + 1)(n - K + k + 1))``,
so the log weights are a running sum of logs of whole-number ratios (exact
products below 2^53 at the bases allowed), with no large log-gamma values to
cancel.

P-values: ``less`` sums the null weights up to the observed ``x``,
``greater`` from ``x`` on, ``two-sided`` every weight at most
``d(x) * (1 + 1e-7)`` (R's ``relErr``), each divided by the total.

Odds ratio: the conditional maximum-likelihood estimate solves
``E[X | psi] = x``; the mean rises with ``t = log psi`` and its slope is the
variance, so a Newton step in ``t`` safeguarded by a bracket (a bisection
step wherever Newton would leave it) converges in a few steps; only rows not
yet converged are iterated. ``0`` at ``x = lo`` and ``inf`` at ``x = hi``, as R.

Confidence interval of the odds ratio (R's ``conf.int``): the lower end
solves ``P(X >= x | psi) = alpha``, the upper ``P(X <= x | psi) = alpha``
(``alpha = (1 - conf_level) / 2`` two-sided; ``less`` gives ``[0, upper]`` and
``greater`` ``[lower, inf]``, each at ``alpha = 1 - conf_level``); ``0`` at
``x = lo`` and ``inf`` at ``x = hi``. The log of a tail probability rises
with ``t = log psi`` (lower end; the upper end is the same problem with ``k``
and ``t`` mirrored), its slope the tail's mean less the whole mean, so the
same safeguarded Newton solves it to ``1e-9`` in ``t``, where R's ``uniroot``
stops near ``1e-4`` in ``psi``.

References: Agresti, A. (2013). Categorical Data Analysis, 3rd ed., section
3.5; R's ``fisher.test`` (stats package, R 4.2), whose two-sided rule,
tolerance and estimate this reproduces.
"""

from __future__ import annotations

import numpy as np

REL_ERR = 1 + 1e-7  # R's tolerance for "as or less likely" (fisher.test's relErr)
# A window edge this far (in log weight) below what is summed holds e^-40 = 4e-18 of it; the weights fall
# geometrically beyond (they are log-concave), leaving under 1e-15 of it outside at any base allowed.
_DROP = 40.0
_UNDERFLOW = -746.0  # exp of anything lower is 0 in double precision
_LOG_OR_BRACKET = 50.0  # |log odds ratio| <= log(1e7 * 1e7) ~ 32.2 at the bases allowed
_CHUNK = 2_000_000  # support values laid out at once
_TOL = 1e-9  # a Newton step (in log odds ratio) this small is the last: the error after it is of its square
_MAX_ITER = 200


def fisher_rows(x1, n1, x2, n2, alternative, conf_level=0.95):
    """P-values, conditional MLE odds ratios and their intervals for the tables ``[[x1, n1 - x1], [x2, n2 - x2]]``.

    Float arrays in; returns ``(p_value, odds_ratio, ci_low, ci_high)``, the
    interval at ``conf_level`` on the side(s) of ``alternative``, as R's
    ``fisher.test(...)$conf.int``.
    """
    x, m, n = x1.astype(float), n1.astype(float), n2.astype(float)
    total = x + x2
    lo = np.maximum(0.0, total - n)
    hi = np.minimum(total, m)
    a, b = _windows(x, m, n, total, lo, hi, x2)
    pvals = np.empty(x.shape)
    odds = np.empty(x.shape)
    ci = (np.empty(x.shape), np.empty(x.shape), conf_level)
    redo = [rows[~_solve(rows, x, m, n, total, lo, hi, a, b, alternative, pvals, odds, ci)]
            for rows in _chunks(np.arange(x.size), b - a + 1)]
    redo = np.concatenate(redo)
    for rows in _chunks(redo, hi[redo] - lo[redo] + 1):  # windows that left weight outside: whole supports
        _solve(rows, x, m, n, total, lo, hi, lo, hi, alternative, pvals, odds, ci)
    return np.minimum(pvals, 1.0), odds, ci[0], ci[1]


def _chunks(rows, size):
    """Consecutive runs of ``rows`` whose stretches (``size`` each) hold about ``_CHUNK`` values (one row at least)."""
    ends = np.cumsum(size)
    start = 0
    while start < rows.size:
        before = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, before + _CHUNK, side="right")))
        yield rows[start:stop]
        start = stop


def _windows(x, m, n, total, lo, hi, x2):
    """The stretch of each support to lay out: around the null mean, out past the observed count's mirror image.

    Null mean ``mu`` and standard deviation ``s0``: the two-sided p-value needs
    the tails beyond ``mu -/+ |x - mu|``, and a margin of 12 sd (a drop of 72
    in log weight under a normal shape) plus 10. The estimate needs the weight
    around ``x`` under the fitted odds ratio, whose spread is about the
    unconditional ``1 / sqrt(sum 1 / cell)`` (Woolf; each cell + 1/2).
    """
    big = m + n
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = total * m / big
        var0 = np.where(big > 1, total * m * n * (big - total) / (big * big * (big - 1)), 0.0)
    reach = np.abs(x - mu) + 12 * np.sqrt(var0) + 10
    s1 = 1 / np.sqrt(1 / (x + 0.5) + 1 / (m - x + 0.5) + 1 / (x2 + 0.5) + 1 / (n - x2 + 0.5))
    around = 12 * s1 + 10
    a = np.maximum(lo, np.floor(np.minimum(mu - reach, x - around)))
    b = np.minimum(hi, np.ceil(np.maximum(mu + reach, x + around)))
    return a, b


def _solve(rows, x, m, n, total, lo, hi, a, b, alternative, pvals, odds, ci):
    """Fill ``pvals``, ``odds`` and ``ci`` (low, high, level) for ``rows`` over the windows ``a[rows]..b[rows]``.

    Returns True where a window sufficed.
    """
    xs, ms, ns, ks = x[rows], m[rows], n[rows], total[rows]
    lo_r, hi_r, a_r, b_r = lo[rows], hi[rows], a[rows], b[rows]
    k, logw, starts, size, at = _layout(xs, ms, ns, ks, a_r, b_r)
    at_x, at_a, at_b = at
    log_d = logw[at_x]
    # null weights
    top = np.maximum.reduceat(logw, starts)
    w = logw - np.repeat(top, size)
    np.exp(w, out=w)
    norm = np.add.reduceat(w, starts)
    if alternative == "two-sided":
        keep = w <= np.repeat(w[at_x] * REL_ERR, size)
    else:
        xk = np.repeat(xs, size)
        keep = k <= xk if alternative == "less" else k >= xk
    pvals[rows] = np.add.reduceat(np.where(keep, w, 0.0), starts) / norm
    # the window holds the null weight summed: its edges are far below the observed table's weight (or
    # below where exp underflows to 0, as in R, when the observed table's does) ...
    floor = np.maximum(log_d, top + _UNDERFLOW) - _DROP
    ok = ((a_r == lo_r) | (logw[at_a] <= floor)) & ((b_r == hi_r) | (logw[at_b] <= floor))
    # ... and the weight under the fitted odds ratio
    inner = (xs > lo_r) & (xs < hi_r)
    est = np.where(xs <= lo_r, 0.0, np.inf)
    if inner.any():
        dk, lw = k - np.repeat(xs, size), logw
        if not inner.all():
            sel = np.repeat(inner, size)
            dk, lw = dk[sel], lw[sel]
        t, fits = _conditional_mle(lw, dk, size[inner], at_a[inner] - starts[inner], at_b[inner] - starts[inner],
                                   xs[inner], ms[inner], ns[inner], ks[inner])
        edge_ok = ((a_r[inner] == lo_r[inner]) | fits[0]) & ((b_r[inner] == hi_r[inner]) | fits[1])
        ok[inner] &= edge_ok
        est[inner] = np.exp(t)
    odds[rows] = est
    # the interval: each end where the table is not at that end of its support
    from scipy import special

    ci_low, ci_high, level = ci
    alpha = (1 - level) / 2 if alternative == "two-sided" else 1 - level
    low = np.where(xs <= lo_r, 0.0, np.nan) if alternative != "less" else np.zeros(xs.shape)
    high = np.where(xs >= hi_r, np.inf, np.nan) if alternative != "greater" else np.full(xs.shape, np.inf)
    for end, sign in ((low, 1.0), (high, -1.0)):
        need = np.isnan(end)
        if not need.any():
            continue
        dk = k - np.repeat(xs, size)
        sel = np.repeat(need, size)
        x2 = ks[need] - xs[need]
        cells = (xs[need] + 0.5, ms[need] - xs[need] + 0.5, x2 + 0.5, ns[need] - x2 + 0.5)
        # start at Woolf's end (Haldane's sample log odds ratio -/+ z se)
        start = np.log(cells[0] * cells[3] / (cells[1] * cells[2]))
        start -= sign * special.ndtri(1 - alpha) * np.sqrt(sum(1 / c for c in cells))
        # the lower end is the root of P(k - x >= 0 | t) = alpha; the upper that of P(x - k >= 0 | -t) = alpha
        t, fits = _tail_root(logw[sel], sign * dk[sel], size[need], at_a[need] - starts[need],
                             at_b[need] - starts[need], sign * start, alpha)
        ok[need] &= ((a_r[need] == lo_r[need]) | fits[0]) & ((b_r[need] == hi_r[need]) | fits[1])
        end[need] = np.exp(sign * t)
    ci_low[rows], ci_high[rows] = low, high
    return ok


def _tail_root(logw, dk, size, off_a, off_b, t0, alpha):
    """t solving P(dk >= 0 | t) = alpha per stretch (safeguarded Newton on the log tail); edges negligible or not.

    The weights are ``exp(logw + t dk)``; the log of the tail's share rises
    with ``t``, its slope the tail's mean of ``dk`` less the whole mean. Every
    row has weight on both sides of 0 (``x`` strictly inside its support on the
    side solved). ``t0`` is a start (clipped into the bracket), ``off_a`` and
    ``off_b`` as in ``_conditional_mle``; an edge counts as negligible ``_DROP``
    below the largest weight and ``alpha`` below that (the tail is ``alpha`` of
    the whole).
    """
    log_alpha = np.log(alpha)

    def log_tail_gap(w, dk, starts):  # log P(tail | t) - log alpha, and its slope in t
        tail = dk >= 0
        s0 = np.add.reduceat(w, starts)
        s0_tail = np.add.reduceat(np.where(tail, w, 0.0), starts)
        w *= dk
        s1 = np.add.reduceat(w, starts)
        s1_tail = np.add.reduceat(np.where(tail, w, 0.0), starts)
        return np.log(s0_tail / s0) - log_alpha, s1_tail / s0_tail - s1 / s0

    reach = _LOG_OR_BRACKET - log_alpha  # a root at a tail of alpha lies that much further out than an estimate
    return _safeguarded_newton(logw, dk, size, off_a, off_b, t0, reach, _DROP - min(log_alpha, 0.0), log_tail_gap,
                               "the confidence interval of the odds ratio")


def _layout(x, m, n, total, a, b):
    """Each row's values ``a..b`` of the first cell end to end, with their log weights (0 at the null mode).

    A row's stretch runs up from the null mode ``c`` to ``b``, then down from
    ``c - 1`` to ``a``: each log weight is a running sum of log ratios of
    consecutive weights, ``log((K - k)(m - k) / ((k + 1)(n - K + k + 1)))`` from
    ``k`` to ``k + 1``, started at the mode, so the rounding it gathers grows
    only where the weights are already negligible. One cumulative sum serves
    all rows: the first value of each run carries minus the sum of the run
    before it, so the sum restarts near 0 (and then exactly, once the rounding
    of that sum is taken out).

    Returns the values ``k``, the log weights, each row's start and length,
    and the positions of ``x``, ``a`` and ``b``.
    """
    c = np.clip(np.floor((total + 1) * (m + 1) / (m + n + 2)), a, b)
    size = (b - a + 1).astype(np.int64)
    up = (b - c + 1).astype(np.int64)
    starts = np.zeros(size.size, dtype=np.int64)
    np.cumsum(size[:-1], out=starts[1:])
    pos = np.arange(int(size.sum()), dtype=np.int64)
    pos -= np.repeat(starts, size)
    rising = pos < np.repeat(up, size)
    k = np.repeat(c, size)
    k += np.where(rising, pos, up.repeat(size) - 1 - pos)  # c + pos going up, c - 1 - (pos - up) going down
    del pos
    j = np.where(rising, k - 1, k)  # the ratio from j to j + 1 leads to k going up, from k going down
    big = np.repeat(total, size)
    with np.errstate(divide="ignore", invalid="ignore"):
        step = (big - j) * (np.repeat(m, size) - j)
        step /= (j + 1) * (np.repeat(n, size) - big + j + 1)
        np.log(step, out=step)
    del j, big
    np.negative(step, out=step, where=~rising)
    step[starts] = 0.0  # the mode itself
    runs = np.union1d(starts, (starts + up)[up < size])  # the rising and falling runs of each row
    first = step[runs]
    step[runs[1:]] -= np.add.reduceat(step, runs)[:-1]
    logw = np.cumsum(step, out=step)
    # the restarts are off by the rounding of each run's sum: take it out, so both runs of a row start exactly
    logw -= np.repeat(logw[runs] - first, np.diff(runs, append=logw.size))
    xi = x - c
    at_x = starts + np.where(xi >= 0, xi, up - 1 - xi).astype(np.int64)
    at_a = np.where(c > a, starts + size - 1, starts)
    at_b = starts + up - 1
    return k, logw, starts, size, (at_x, at_a, at_b)


def _conditional_mle(logw, dk, size, off_a, off_b, x, m, n, total):
    """log psi solving E[X | psi] = x per stretch (safeguarded Newton); also whether each window edge is negligible.

    ``dk`` is ``k - x`` over the stretches, ``off_a`` and ``off_b`` where in its
    stretch each row's lowest and highest value lie. Returns ``t`` and a pair of
    boolean arrays (lowest, highest) true where the fitted weight there is
    ``_DROP`` below the largest.
    """
    def mean_gap(w, dk, starts):  # E[X | t] - x, and its slope in t (the variance)
        s0 = np.add.reduceat(w, starts)
        w *= dk
        s1 = np.add.reduceat(w, starts)
        w *= dk
        s2 = np.add.reduceat(w, starts)
        gap = s1 / s0
        return gap, s2 / s0 - gap * gap

    x2 = total - x
    t0 = np.log((x + 0.5) * (n - x2 + 0.5) / ((x2 + 0.5) * (m - x + 0.5)))  # Haldane's sample odds ratio
    return _safeguarded_newton(logw, dk, size, off_a, off_b, t0, _LOG_OR_BRACKET, _DROP, mean_gap,
                               "the conditional MLE of the odds ratio")


def _safeguarded_newton(logw, dk, size, off_a, off_b, t0, reach, drop, gap_and_slope, what):
    """Per stretch, the root in ``t`` of a function rising in ``t`` of the weights ``exp(logw + t dk)``.

    ``gap_and_slope(w, dk, starts)`` gives the function and its slope from the
    weights ``w`` (scaled so each stretch's largest is 1; it may overwrite
    them). Newton steps are kept inside a bracket ``[-reach, reach]`` narrowed
    at each step by the sign of the function; a step that would leave it is a
    bisection step. Only rows not yet converged are laid out again once they
    are fewer than three quarters. Returns ``t`` and a pair of boolean arrays
    (lowest, highest value of each stretch) true where the weight there, at
    the root, is ``drop`` (in log) below the largest.

    Raises RuntimeError naming ``what`` when a row has not converged in
    ``_MAX_ITER`` steps.
    """
    rows = size.size
    t = np.clip(np.nan_to_num(t0), -reach + 1, reach - 1)
    low = np.full(rows, -reach)
    high = np.full(rows, reach)
    left_ok = np.zeros(rows, dtype=bool)
    right_ok = np.zeros(rows, dtype=bool)
    active = np.arange(rows)
    finished = np.zeros(rows, dtype=bool)
    act_size, act_logw, act_dk, act_a, act_b = size, logw, dk, off_a, off_b
    for _ in range(_MAX_ITER):
        starts = np.zeros(active.size, dtype=np.int64)
        np.cumsum(act_size[:-1], out=starts[1:])
        ta = t[active]
        e = act_dk * np.repeat(ta, act_size)
        e += act_logw
        top = np.maximum.reduceat(e, starts)
        left_ok[active] = e[starts + act_a] <= top - drop
        right_ok[active] = e[starts + act_b] <= top - drop
        e -= np.repeat(top, act_size)
        np.exp(e, out=e)
        with np.errstate(divide="ignore", invalid="ignore"):
            gap, slope = gap_and_slope(e, act_dk, starts)
            step = -gap / slope
        lo_a = np.where(gap < 0, ta, low[active])
        hi_a = np.where(gap > 0, ta, high[active])
        new = ta + step
        newton = (new >= lo_a) & (new <= hi_a)  # a step below rounding lands on the bracket's end: still Newton
        new = np.where(newton, new, (lo_a + hi_a) / 2)
        done = (newton & (np.abs(step) <= _TOL)) | (gap == 0) | (hi_a - lo_a <= _TOL)
        moving = ~finished[active]  # rows finished earlier stay where they stopped
        t[active] = np.where(moving & (gap != 0), new, ta)
        low[active], high[active] = lo_a, hi_a
        finished[active] |= done
        if finished.all():
            return t, (left_ok, right_ok)
        keep = ~finished[active]
        if keep.sum() < 0.75 * active.size:  # lay out only the rows still moving
            sel = np.repeat(keep, act_size)
            act_logw, act_dk = act_logw[sel], act_dk[sel]
            act_size, act_a, act_b, active = act_size[keep], act_a[keep], act_b[keep], active[keep]
    raise RuntimeError(f"{what} did not converge in {_MAX_ITER} steps for {active.size} tables")
