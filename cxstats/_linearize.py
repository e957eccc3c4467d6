"""Linearization (Taylor) variances from aggregated sufficient statistics, as R's ``svyrecvar``.

An estimate's influence value for a respondent is ``a w + b w y`` with
coefficients ``a`` and ``b`` that are constant within a group of the
aggregated table (for a ratio mean ``r = Y / W`` of a domain: ``a = -r / W``,
``b = 1 / W`` for the domain's answered rows, 0 elsewhere; for a total
``a = 0``, ``b = 1``). Its variance is a sum over strata of the spread of the
PSU totals of these values:

    V = sum_h (1 - f_h) n_h / (n_h - 1) [ sum_j z_hj^2 - (sum_j z_hj)^2 / n_h ]

(``n_h`` sampled PSUs, ``f_h = n_h / N_h``), plus, with a finite population
correction at later stages, the same spread of the stage's unit totals within
each unit above, times the sampling fractions of the stages above. When rows
are the PSUs, ``sum_j z_j^2`` is read off the sums of ``w^2``, ``w^2 y`` and
``w^2 y^2`` of each group, so no respondent row is ever needed twice.

Lonely PSUs follow ``lonely_psu`` as R's ``survey.lonely.psu``; "present"
strata are those where the estimate's rows (the domain's answered rows)
appear, as in R, where a domain estimate is computed on the subset design.
"""

from __future__ import annotations

import numpy as np

from ._aggregate import too_large

SELF_REPRESENTING = 1e-7  # R: a stratum with (N - n) / N below this contributes nothing
ROUNDING = 1e-12  # a difference of sums this small relative to the sums is rounding, not spread


_ONE_BINCOUNT = 1 << 16  # up to this many values, the columns are summed in one bincount (one call, not K)


def _sum_by(index: np.ndarray, values: np.ndarray, size: int) -> np.ndarray:
    """Sums of the rows of ``values`` (n x K) by ``index`` (n,), as a (size x K) array (one bincount per column).

    A small array is summed in one bincount over (index, column) pairs: each
    sum gets the same terms in the same order (row by row), so the same
    numbers, for one call instead of K.
    """
    K = values.shape[1]
    if not K:
        return np.zeros((size, 0))
    if values.size <= _ONE_BINCOUNT:
        cells = (index.astype(np.int64, copy=False)[:, None] * K + np.arange(K)).ravel()  # 64 bits: no wrapping
        return np.bincount(cells, weights=values.ravel(), minlength=size * K).reshape(size, K)
    return np.column_stack([np.bincount(index, weights=values[:, k], minlength=size) for k in range(K)])


def _first_stage_factors(design):
    """Per stratum: n_h, (N_h - n_h) / N_h (1 with replacement) and whether the stratum has one PSU."""
    n, pop = design.first_stage
    with np.errstate(invalid="ignore", divide="ignore"):
        fpc = np.where(np.isinf(pop), 1.0, (pop - n) / pop)
    return n, fpc, n == 1


def _stratum_scale(n, fpc, lonely):
    """(1 - f) n / (n - 1) for strata with two or more PSUs; 0 for lonely and self-representing strata."""
    regular = ~lonely & (fpc >= SELF_REPRESENTING)
    return np.where(regular, fpc * n / np.where(n > 1, n - 1, 1), 0.0)


def _spread(scale, S, G, n, diagonal, size=None):
    """sum_h scale_h (G_h - S_h S_h' / n_h); a variance lost in rounding (a constant answer) is exactly 0.

    ``size`` (diagonal only) is the sum of the magnitudes of the terms that
    made ``G``: a spread below rounding of those is no spread.
    """
    if diagonal:
        spread = G - S**2 / n[:, None]
        spread[np.abs(spread) <= ROUNDING * (np.abs(G) if size is None else size)] = 0.0
        return np.einsum("h,hk->k", scale, spread)
    spread = G - S[:, :, None] * S[:, None, :] / n[:, None, None]
    spread[np.abs(spread) <= ROUNDING * np.abs(G)] = 0.0
    return np.einsum("h,hkl->kl", scale, spread)


def _combine(n, fpc, lonely, S, G, present, rule, diagonal, size=None):
    """Sum the first-stage stratum contributions, with R's rules for strata that have one PSU."""
    V = _spread(_stratum_scale(n, fpc, lonely), S, G, n, diagonal, size)
    lone = lonely & (fpc >= SELF_REPRESENTING)
    present = np.broadcast_to(present, S.shape)
    if lone.any() and rule == "adjust":
        # centred at the grand mean of the PSU totals of the strata present (R >= 4.2)
        count = (present * n[:, None]).sum(axis=0)
        centre = (S * present).sum(axis=0) / np.where(count > 0, count, 1)
        dev = (S - centre) * (lone[:, None] & present)
        if diagonal:
            V = V + np.einsum("h,hk->k", fpc * lone, dev**2)
        else:
            V = V + np.einsum("h,hk,hl->kl", fpc * lone, dev, dev)
    if lonely.any() and rule == "average":
        # the other strata's contributions, scaled up to all strata present
        n_present = present.sum(axis=0).astype(float)
        n_ok = (present & ~lonely[:, None]).sum(axis=0).astype(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            factor = n_present / n_ok
        V = V * (factor if diagonal else np.sqrt(np.outer(factor, factor)))
    return V


def _unit_moments(unit, owner, t, size, diagonal, t_size=None, sum_rows=_sum_by):
    """Sums and squares of the sampling units' influence totals, per owner (a stratum, or a unit one stage up).

    ``unit`` and ``owner`` give each group row's unit and owner, ``t`` (rows x K)
    its influence total. Returns ``S`` (size x K) and ``G`` (size x K, or size
    x K x K for the full covariance); with ``t_size`` (the magnitudes of the
    terms of ``t``), also the same sums of squares of magnitudes. ``sum_rows``
    sums the group rows by unit (see :func:`variance`).
    """
    U = int(unit.max()) + 1
    Z = sum_rows(unit, t, U)
    unit_owner = np.zeros(U, dtype=np.int64)
    unit_owner[unit] = owner
    used = np.zeros(U, dtype=bool)
    used[unit] = True
    Z, unit_owner = Z[used], unit_owner[used]
    S = _sum_by(unit_owner, Z, size)
    if diagonal:
        G = _sum_by(unit_owner, Z**2, size)
        if t_size is None:
            return S, G
        return S, G, _sum_by(unit_owner, sum_rows(unit, t_size, U)[used] ** 2, size)
    G = np.zeros((size, Z.shape[1], Z.shape[1]))
    np.add.at(G, unit_owner, Z[:, :, None] * Z[:, None, :])
    return S, G


def variance(design, table, a, b, present=None, diagonal=True, domain=None):
    """Linearization variance of K estimates whose influence values are ``a w + b w y`` per group row.

    Parameters
    ----------
    design : SurveyDesign
    table : Totals
        The aggregation: one row per group, with ``stratum``, unit codes and the sums.
    a, b : numpy.ndarray, shape (G, K)
        Coefficients of each group row for each estimate (over the answered rows).
    present : numpy.ndarray of bool, shape (H, K), optional
        Strata in which each estimate's rows appear (only matters for
        ``lonely_psu`` "adjust" and "average"); default all strata.
    diagonal : bool
        Variances only (K,) or the full covariance (K, K).
    domain : tuple (index, K), optional
        With the variances only, when each group row counts in one estimate
        (a domain's): ``index`` (G,) is that estimate, of K, and ``a``, ``b``
        have shape (G,), its coefficients; no G x K array is made.
    """
    with np.errstate(over="ignore", invalid="ignore"):  # sums of squares that overflow are refused, by name
        return _variance(design, table, a, b, present, diagonal, domain)


def _refuse_overflow(table, inputs, found) -> None:
    """An error when finite coefficients and sums gave sums of squares that overflow (read as 0 they would give a
    standard error of 0, or one stage's spread only; as NaN, none)."""
    if all(np.isfinite(x).all() for x in found) or not all(np.isfinite(x).all() for x in inputs):
        return
    raise too_large(getattr(table, "value", None), "for their variance: the squares of the sampling units' totals "
                    "overflow")


def _variance(design, table, a, b, present, diagonal, domain):
    sum_rows = _sum_by  # sums of the group rows by stratum or unit
    if domain is None:
        a, b = np.atleast_2d(a), np.atleast_2d(b)
        K = a.shape[1]
    else:  # each row's sums go to its own estimate's column
        index, K = domain
        a, b = a[:, None], b[:, None]
        sum_rows = lambda by, values, size: _sum_by(by * K + index, values, size * K).reshape(size, K)  # noqa: E731
    H = design.n_strata
    stratum = table["stratum"]
    sw, swy = table["sw_y"], table["swy"]
    t = a * sw[:, None] + b * swy[:, None]  # each group's total influence
    units = list(table.units)
    if present is None:
        present = np.ones((H, K), dtype=bool)
    n, fpc, lonely = _first_stage_factors(design)
    size = None  # with the variances only: the magnitude of what they are made of, to tell rounding from spread
    if units:
        if diagonal:
            S, G, size = _unit_moments(table["unit1"], stratum, t, H, True,
                                       np.abs(a) * sw[:, None] + np.abs(b) * np.abs(swy)[:, None], sum_rows)
        else:
            S, G = _unit_moments(table["unit1"], stratum, t, H, False)
    else:
        S = sum_rows(stratum, t, H)
        sw2, sw2y, sw2y2 = (table[c] for c in ("sw2_y", "sw2y", "sw2y2"))
        if diagonal:
            q = a**2 * sw2[:, None] + 2 * a * b * sw2y[:, None] + b**2 * sw2y2[:, None]
            G = sum_rows(stratum, q, H)
            size = sum_rows(stratum, a**2 * sw2[:, None] + 2 * np.abs(a * b * sw2y[:, None]) + b**2 * sw2y2[:, None],
                            H)
        else:
            G = np.zeros((H, K, K))
            for h in range(H):  # one K x K product per stratum
                rows = stratum == h
                ah, bh = a[rows], b[rows]
                G[h] = (ah.T * sw2[rows]) @ ah + (ah.T * sw2y[rows]) @ bh + (bh.T * sw2y[rows]) @ ah \
                    + (bh.T * sw2y2[rows]) @ bh
    inputs = (a, b, sw, swy)
    _refuse_overflow(table, inputs, (S, G) if size is None else (S, G, size))
    V = _combine(n, fpc, lonely, S, G, present, design.lonely_psu, diagonal, size)
    if len(units) > 1:
        V = V + _later_stages(design, table, t, units, n, diagonal, sum_rows, inputs)
    return V


def _later_stages(design, table, t, units, n1, diagonal, sum_rows=_sum_by, inputs=()):
    """Within-unit variance of stages 2 and later (with fpc), times the sampling fractions of the stages above.

    Each unit of the stage above acts as a stratum of the stage below (R's
    recursion in ``multistage``). A unit with a single sampled subunit
    contributes nothing (its own mean is its centre), as in R.
    """
    total = 0.0  # an array from the first stage on
    pop1 = design.first_stage[1]
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(np.isinf(pop1), 0.0, n1 / pop1)[table["stratum"]]  # per group row
    for s in range(2, len(units) + 1):
        stage = design.stage_tables[s - 2]
        position = np.searchsorted(stage["unit"].to_numpy(), table[f"unit{s - 1}"])
        child = table[f"unit{s}"]
        n = stage["n_units"].to_numpy(dtype=float)
        pop = stage["popsize"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            fpc = np.where(np.isinf(pop), 1.0, (pop - n) / pop)
        P = len(stage)
        S, G = _unit_moments(child, position, t, P, diagonal, sum_rows=sum_rows)
        _refuse_overflow(table, inputs, (S, G))
        above = np.zeros(P)
        above[position] = fraction
        total = total + _spread(_stratum_scale(n, fpc, n == 1) * above, S, G, n, diagonal)
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = fraction * np.where(np.isinf(pop), 0.0, n / pop)[position]
    return total
