"""Banner crosstabs the market-research way: column percentages, significance letters, a design-based chi-square.

Everything is computed from per-cell aggregates (respondents, sum of weights,
sum of squared weights), so a crosstab of a 10-million-row Parquet or CSV
file is aggregated by DuckDB without loading the rows into pandas.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import special

from ._validate import check_open_unit
from .multiple import ADJUST_METHODS, _adjusted
from .proportions import _pooled_z
from .survey import check_columns, survey_weights

SMALL_BASE = 30


@dataclass(frozen=True)
class CrosstabResult:
    """Result of :func:`crosstab`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cell: ``row``, ``col``, ``letter`` (the column's letter),
        ``count`` (respondents), ``weighted_count``, ``col_pct`` (weighted
        share of the column, 0 to 1), ``base`` and ``weighted_base`` of the
        column, ``n_effective`` (the column's Kish effective base),
        ``higher_than`` (letters of the columns this cell is significantly
        higher than) and ``small_base`` (column base below 30).
    test : pandas.DataFrame
        One row: ``statistic``, ``dof`` (numerator degrees of freedom),
        ``ddf`` (denominator, for the F test), ``p_value``, ``method``.
    n_missing : int
        Respondents left out for a missing row or column answer.
    """

    table: pd.DataFrame
    test: pd.DataFrame
    n_missing: int

    def to_frame(self) -> pd.DataFrame:
        """The tidy cell table."""
        return self.table

    def to_html(self, decimals=0) -> str:
        """A banner table: column percentages with significance letters, bases underneath, small bases flagged."""
        import html

        t = self.table
        cols = list(dict.fromkeys(t["col"]))
        rows = list(dict.fromkeys(t["row"]))
        letters = dict(zip(t["col"], t["letter"], strict=False))
        base = t.drop_duplicates("col").set_index("col")
        head = "".join(f"<th>{html.escape(str(c))}<br><small>({letters[c]})</small></th>" for c in cols)
        body = []
        cells = t.set_index(["row", "col"])
        for r in rows:
            tds = []
            for c in cols:
                cell = cells.loc[(r, c)]
                text = f"{100 * cell['col_pct']:.{decimals}f}%"
                if cell["higher_than"]:
                    text += f" <b>{html.escape(cell['higher_than'])}</b>"
                tds.append(f"<td>{text}</td>")
            body.append(f"<tr><th>{html.escape(str(r))}</th>{''.join(tds)}</tr>")
        bases = "".join(
            f"<td>{int(base.loc[c, 'base'])}{' *' if base.loc[c, 'small_base'] else ''}</td>" for c in cols
        )
        body.append(f"<tr class='base'><th>Base (respondents)</th>{bases}</tr>")
        test = self.test.iloc[0]
        notes = (f"Letters: the cell is significantly higher than the lettered column (column-proportion z tests "
                 f"on effective bases, {test['adjust']} adjusted, alpha {test['alpha']:.3g}). "
                 f"{test['method']}: statistic {test['statistic']:.2f}, p = {test['p_value']:.3g}.")
        if base["small_base"].any():
            notes += f" * Base below {SMALL_BASE}: read with caution."
        return (f"<table class='banner'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
                f"<caption style='caption-side: bottom; text-align: left'>{html.escape(notes)}</caption></table>")

    def _repr_html_(self) -> str:
        return self.to_html()


def _category_codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")
    return values.cat.codes.to_numpy(), values.cat.categories


class _Cells(NamedTuple):
    """Per-cell aggregates, row-major ``len(rows)`` by ``len(cols)`` arrays."""

    rows: pd.Index
    cols: pd.Index
    count: np.ndarray
    weighted: np.ndarray
    sum_w2: np.ndarray
    n_missing: int


def _cells_from_frame(df, row, col, weight, chunk=1 << 16) -> _Cells:
    """Per-cell respondents, sum of weights and sum of squared weights.

    Each row gets one small integer key, (row code + 1) * (columns + 1) +
    (column code + 1), so a missing answer (code -1) lands in a key of its own
    and is counted rather than dropped. The sums are unbuffered
    ``numpy.add.at`` calls over chunks that stay in the processor cache.
    """
    check_columns(df, row, col, weight)
    rc, rows = _category_codes(df[row])
    cc, cols = _category_codes(df[col])
    nr, nc = len(rows), len(cols)
    size = (nr + 1) * (nc + 1)
    small = next(t for t in (np.int8, np.int16, np.int32, np.int64) if size <= np.iinfo(t).max)
    key = rc.astype(small)  # a copy: (rc + 1) * (nc + 1) + (cc + 1), computed in place
    key *= nc + 1
    key += cc
    key += nc + 2
    if weight is None or (pd.api.types.is_float_dtype(df[weight])
                          and not isinstance(df[weight].dtype, pd.CategoricalDtype)):
        w = None if weight is None else df[weight].to_numpy(dtype=float)
    else:
        w = survey_weights(df, weight)
    count = np.zeros(size, dtype=np.int64)
    weighted, sum_w2 = np.zeros(size), np.zeros(size)
    suspect = False  # a chunk with a negative or missing weight
    for start in range(0, len(key), chunk):  # a loop over cache-sized chunks, not over rows
        k = key[start:start + chunk].astype(np.intp)
        np.add.at(count, k, 1)
        if w is not None:
            ws = w[start:start + chunk]
            suspect |= not ws.min() >= 0
            np.add.at(weighted, k, ws)
            np.add.at(sum_w2, k, ws * ws)
    count, weighted, sum_w2 = (a.reshape(nr + 1, nc + 1)[1:, 1:] for a in (count, weighted, sum_w2))
    n_missing = len(key) - int(count.sum())
    if w is not None and (suspect or not np.isfinite(sum_w2).all()):
        # a negative or non-finite weight: name the answered rows that carry one (unanswered rows are left out)
        survey_weights(df[(rc >= 0) & (cc >= 0)], weight)
        if not np.isfinite(sum_w2).all():
            raise ValueError(f"weight column {weight!r}: the squared weights overflow")
    if w is None:
        weighted, sum_w2 = count.astype(float), count.astype(float)
    elif weighted.sum() <= 0:
        raise ValueError(f"weight column {weight!r} sums to zero over the answered rows")
    return _Cells(rows, cols, count, weighted, sum_w2, n_missing)


def _aggregate_sql(con, source, params, label, row, col, weight):
    """Per-cell respondents, sum of weights and of squared weights, and the weight checks, in one DuckDB scan."""
    q = lambda name: '"' + name.replace('"', '""') + '"'  # noqa: E731
    w = f"{q(weight)}::DOUBLE" if weight else "1.0"
    agg = con.execute(
        f"SELECT {q(row)} AS row, {q(col)} AS col, count(*) AS count, sum({w}) AS weighted_count, "
        f"sum({w} * {w}) AS sum_w2, count(*) FILTER (WHERE {w} IS NULL OR NOT isfinite({w})) AS bad_w, "
        f"count(*) FILTER (WHERE {w} < 0) AS negative_w FROM {source} GROUP BY ALL", params).df()
    if weight and agg["bad_w"].sum():
        raise ValueError(f"{label}: weight column {weight!r} has {int(agg['bad_w'].sum())} missing or non-finite "
                         "value(s)")
    if weight and agg["negative_w"].sum():
        raise ValueError(f"{label}: weight column {weight!r} has {int(agg['negative_w'].sum())} negative value(s)")
    answered = agg["row"].notna() & agg["col"].notna()
    n_missing = int(agg.loc[~answered, "count"].sum())
    agg = agg[answered]
    if weight and agg["weighted_count"].sum() <= 0:
        raise ValueError(f"{label}: weight column {weight!r} sums to zero over the answered rows")
    rows, cols = pd.Index(sorted(agg["row"].unique())), pd.Index(sorted(agg["col"].unique()))
    r, c = rows.get_indexer(agg["row"]), cols.get_indexer(agg["col"])
    grids = []
    for name, dtype in (("count", np.int64), ("weighted_count", float), ("sum_w2", float)):
        grid = np.zeros((len(rows), len(cols)), dtype=dtype)
        grid[r, c] = agg[name].to_numpy(dtype=dtype)
        grids.append(grid)
    return _Cells(rows, cols, *grids, n_missing)


def _cells_from_file(path, row, col, weight):
    import duckdb

    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: file not found")
    reader = {".parquet": "read_parquet", ".csv": "read_csv_auto"}.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"{path}: crosstab reads .parquet or .csv files; got {path.suffix!r}")
    con = duckdb.connect()
    source = f"{reader}(?)"
    names = [d[0] for d in con.execute(f"SELECT * FROM {source} LIMIT 0", [str(path)]).description]
    missing = [c for c in (row, col, weight) if c is not None and c not in names]
    if missing:
        raise ValueError(f"{path}: column(s) {missing} not in the file; available: {names}")
    return _aggregate_sql(con, source, [str(path)], str(path), row, col, weight)


@functools.lru_cache(maxsize=32)
def _interaction_contrasts(nr, nc):
    """Row-by-column interaction columns made orthogonal to the main effects (cells row-major); one per shape."""
    r_idx, c_idx = np.divmod(np.arange(nr * nc), nc)
    main = np.column_stack([np.ones(nr * nc)] + [(r_idx == i).astype(float) for i in range(1, nr)]
                           + [(c_idx == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((r_idx == i) & (c_idx == j)).astype(float)
                             for i in range(1, nr) for j in range(1, nc)])
    contrast = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
    contrast.flags.writeable = False  # shared between calls
    return contrast


def _rao_scott(weighted, sum_w2, n):
    """Second-order Rao-Scott F test from cell aggregates (as R's svychisq(statistic = "F"))."""
    nr, nc = weighted.shape
    W = weighted.sum()
    # cells are row-major (row r, col c at r * nc + c)
    p = weighted.ravel() / W
    s2 = sum_w2.ravel() / W**2
    cov = n / (n - 1) * (np.diag(s2) - np.outer(s2, p) - np.outer(p, s2) + s2.sum() * np.outer(p, p))
    contrast = _interaction_contrasts(nr, nc)
    inv_p = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = contrast.T @ (inv_p[:, None] * contrast) / n
    numer = contrast.T @ (inv_p[:, None] * cov * inv_p[None, :]) @ contrast
    delta = np.linalg.solve(denom, numer)
    trace = np.trace(delta)
    d0 = trace**2 / np.trace(delta @ delta)
    table = (p * n).reshape(nr, nc)
    expected = np.outer(table.sum(1), table.sum(0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.nansum((table - expected) ** 2 / expected)
    f = pearson / trace
    return f, d0, d0 * (n - 1), float(special.fdtrc(d0, d0 * (n - 1), f))


def crosstab(data, row, col, weight=None, conf_level=0.95, adjust="holm") -> CrosstabResult:
    """Banner crosstab of ``row`` by ``col`` with column percentages and significance letters.

    Parameters
    ----------
    data : pandas.DataFrame or path
        Respondents, or a ``.parquet``/``.csv`` file aggregated by DuckDB
        without loading it into memory.
    row, col : str
        The answer shown down the side and the banner variable across the top.
    weight : str, optional
        Survey weights.
    conf_level : float, default 0.95
        Letters are shown at alpha = 1 - conf_level.
    adjust : str, default "holm"
        Multiple-comparison method over all column pairs in the table (as
        :func:`cxstats.adjust_pvalues`; "none" for none).

    Returns
    -------
    CrosstabResult
        ``table`` (tidy cells), ``test`` (chi-square), ``n_missing``;
        ``to_html()`` renders the banner table.

    Notes
    -----
    Letters come from two-proportion z tests of column percentages on each
    column's effective base (Kish's, equal to the respondent count without
    weights), the pooled z test of :func:`cxstats.compare_proportions`, with
    p-values adjusted as :func:`cxstats.adjust_pvalues`. The overall test is
    Pearson's chi-square without weights and the second-order Rao-Scott F with
    them (equal to R's ``svychisq(statistic = "F")``).

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data.
    Annals of Statistics 12, 46-60.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"verdict": ["good"] * 60 + ["bad"] * 40 + ["good"] * 30 + ["bad"] * 70,
    ...                    "channel": ["chat"] * 100 + ["phone"] * 100})
    >>> res = crosstab(df, "verdict", "channel")
    >>> res.table[["row", "col", "col_pct", "higher_than"]]
        row    col  col_pct higher_than
    0   bad   chat      0.4
    1   bad  phone      0.7           A
    2  good   chat      0.6           B
    3  good  phone      0.3
    """
    conf_level = check_open_unit("conf_level", conf_level)
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"adjust={adjust!r} is not valid; choose one of: {', '.join(map(repr, ADJUST_METHODS))}")
    cells = _cells_from_file(data, row, col, weight) if isinstance(data, str | Path) else \
        _cells_from_frame(data, row, col, weight)
    nr, nc = len(cells.rows), len(cells.cols)
    if nr < 2 or nc < 2:
        raise ValueError(f"crosstab needs at least 2 answers of {row!r} and 2 of {col!r}; got {nr} and {nc}")
    if nc > 26:
        raise ValueError(f"{col!r} has {nc} categories; a banner takes at most 26 columns")
    count, weighted, sum_w2 = cells.count, cells.weighted, cells.sum_w2
    base, weighted_base = count.sum(axis=0), weighted.sum(axis=0)
    if (base == 0).any():
        raise ValueError(f"column(s) {[c for c, b in zip(cells.cols, base, strict=True) if b == 0]} of {col!r} "
                         "have no respondents")
    col_pct = weighted / weighted_base
    n_eff = weighted_base**2 / sum_w2.sum(axis=0)
    # every pair of columns within every row: one family of z tests (as compare_proportions with method="z")
    i, j = np.triu_indices(nc, k=1)
    diff = col_pct[:, i] - col_pct[:, j]
    z = _pooled_z(col_pct[:, i] * n_eff[i], n_eff[i], col_pct[:, j] * n_eff[j], n_eff[j])
    significant = (_adjusted(np.minimum(2 * special.ndtr(-np.abs(z)), 1.0).ravel(), adjust) <= 1 - conf_level)
    higher = [[[] for _ in range(nc)] for _ in range(nr)]
    for (rr, pair) in zip(*np.nonzero(significant.reshape(diff.shape)), strict=True):
        # a loop over the significant column pairs of a small table, not over respondents
        a, b = i[pair], j[pair]
        winner, loser = (a, b) if diff[rr, pair] > 0 else (b, a)
        higher[rr][winner].append(string.ascii_uppercase[loser])
    n = int(count.sum())
    if weight is None:
        from .contingency import chi2_independence

        res = chi2_independence(count)
        test = {"statistic": res.statistic, "dof": res.dof, "ddf": np.nan, "p_value": res.p_value,
                "method": "Pearson chi-square"}
    else:
        f, d0, ddf, p = _rao_scott(weighted, sum_w2, n)
        test = {"statistic": f, "dof": d0, "ddf": ddf, "p_value": p, "method": "Rao-Scott F (second order)"}
    test.update(adjust=adjust, alpha=1 - conf_level)
    table = pd.DataFrame({
        "row": np.repeat(cells.rows.to_numpy(), nc), "col": np.tile(cells.cols.to_numpy(), nr),
        "letter": np.tile(list(string.ascii_uppercase[:nc]), nr), "count": count.ravel(),
        "weighted_count": weighted.ravel(), "col_pct": col_pct.ravel(), "base": np.tile(base, nr),
        "weighted_base": np.tile(weighted_base, nr), "n_effective": np.tile(n_eff, nr),
        "higher_than": ["".join(sorted(x)) for row_cells in higher for x in row_cells],
        "small_base": np.tile(base < SMALL_BASE, nr),
    })
    test = pd.DataFrame({name: [value] for name, value in test.items()})
    return CrosstabResult(table=table, test=test, n_missing=cells.n_missing)
