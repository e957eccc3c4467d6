"""Banner crosstabs the market-research way: column percentages, significance letters, a design-based chi-square.

Everything is computed from per-cell aggregates (respondents, sum of weights,
sum of squared weights), so a crosstab of a 10-million-row Parquet or CSV
file is aggregated by DuckDB without loading the rows into pandas.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ._validate import check_open_unit
from .multiple import ADJUST_METHODS
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


def _cells_from_frame(df, row, col, weight, chunk=1 << 18):
    """Per-cell respondents, sum of weights and sum of squared weights.

    The rows are aggregated in chunks that stay in the processor cache, so the
    three sums cost about twice one weighted ``numpy.bincount`` over the data.
    """
    check_columns(df, row, col, weight)
    rc, rows = _category_codes(df[row])
    cc, cols = _category_codes(df[col])
    nr, nc = len(rows), len(cols)
    size = nr * nc
    if weight is None:
        w = None
    elif pd.api.types.is_float_dtype(df[weight]) and not isinstance(df[weight].dtype, pd.CategoricalDtype):
        w = df[weight].to_numpy(dtype=float)
    else:
        w = survey_weights(df, weight)
    count = np.zeros(size, dtype=np.int64)
    weighted, sum_w2 = np.zeros(size), np.zeros(size)
    n_missing, total = 0, 0.0
    for start in range(0, len(rc), chunk):  # a loop over cache-sized chunks, not over rows
        stop = start + chunk
        key = rc[start:stop].astype(np.intp)
        key *= nc
        key += cc[start:stop]
        ws = None if w is None else w[start:stop]
        if rc[start:stop].min() < 0 or cc[start:stop].min() < 0:  # leave out, and count, missing answers
            ok = (rc[start:stop] >= 0) & (cc[start:stop] >= 0)
            n_missing += int(ok.size - ok.sum())
            key = key[ok]
            ws = None if ws is None else ws[ok]
        count += np.bincount(key, minlength=size)
        if ws is not None:
            chunk_total = ws.sum()
            if not np.isfinite(chunk_total) or ws.min() < 0:
                survey_weights(df, weight)  # raises the error that names the rows
            total += chunk_total
            weighted += np.bincount(key, weights=ws, minlength=size)
            sum_w2 += np.bincount(key, weights=ws * ws, minlength=size)
    if w is None:
        weighted, sum_w2 = count.astype(float), count.astype(float)
    elif total <= 0:
        raise ValueError(f"weight column {weight!r} sums to zero over the answered rows")
    cells = pd.DataFrame({
        "row": np.repeat(rows.to_numpy(), nc), "col": np.tile(cols.to_numpy(), nr),
        "count": count, "weighted_count": weighted, "sum_w2": sum_w2,
    })
    return cells, n_missing


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
    rows, cols = sorted(agg["row"].unique()), sorted(agg["col"].unique())
    grid = pd.MultiIndex.from_product([rows, cols], names=["row", "col"])
    cells = agg.set_index(["row", "col"])[["count", "weighted_count", "sum_w2"]].reindex(grid, fill_value=0)
    return cells.reset_index(), n_missing


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


def _rao_scott(cells, nr, nc, n):
    """Second-order Rao-Scott F test from cell aggregates (as R's svychisq(statistic = "F"))."""
    W = cells["weighted_count"].sum()
    # cells are row-major (row r, col c at r * nc + c)
    p = cells["weighted_count"].to_numpy() / W
    s2 = cells["sum_w2"].to_numpy() / W**2
    cov = n / (n - 1) * (np.diag(s2) - np.outer(s2, p) - np.outer(p, s2) + s2.sum() * np.outer(p, p))
    r_idx, c_idx = np.divmod(np.arange(nr * nc), nc)
    main = np.column_stack([np.ones(nr * nc)] + [(r_idx == i).astype(float) for i in range(1, nr)]
                           + [(c_idx == j).astype(float) for j in range(1, nc)])
    inter = np.column_stack([((r_idx == i) & (c_idx == j)).astype(float)
                             for i in range(1, nr) for j in range(1, nc)])
    contrast = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
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
    return f, d0, d0 * (n - 1), float(stats.f.sf(f, d0, d0 * (n - 1)))


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
    weights), through :func:`cxstats.compare_proportions`. The overall test is
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
    from .multiple import adjust_pvalues
    from .proportions import compare_proportions

    conf_level = check_open_unit("conf_level", conf_level)
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"adjust={adjust!r} is not valid; choose one of: {', '.join(map(repr, ADJUST_METHODS))}")
    if isinstance(data, str | Path):
        cells, n_missing = _cells_from_file(data, row, col, weight)
    else:
        cells, n_missing = _cells_from_frame(data, row, col, weight)
    rows, cols = list(dict.fromkeys(cells["row"])), list(dict.fromkeys(cells["col"]))
    nr, nc = len(rows), len(cols)
    if nr < 2 or nc < 2:
        raise ValueError(f"crosstab needs at least 2 answers of {row!r} and 2 of {col!r}; got {nr} and {nc}")
    if nc > 26:
        raise ValueError(f"{col!r} has {nc} categories; a banner takes at most 26 columns")
    count = cells["count"].to_numpy().reshape(nr, nc)
    weighted = cells["weighted_count"].to_numpy(dtype=float).reshape(nr, nc)
    sum_w2 = cells["sum_w2"].to_numpy(dtype=float).reshape(nr, nc)
    base, weighted_base = count.sum(axis=0), weighted.sum(axis=0)
    if (base == 0).any():
        raise ValueError(f"column(s) {[c for c, b in zip(cols, base, strict=True) if b == 0]} of {col!r} "
                         "have no respondents")
    col_pct = weighted / weighted_base
    n_eff = np.broadcast_to(weighted_base**2 / sum_w2.sum(axis=0), (nr, nc))
    # every pair of columns within every row: one family of tests
    i, j = np.triu_indices(nc, k=1)
    r = np.repeat(np.arange(nr), i.size)
    ii, jj = np.tile(i, nr), np.tile(j, nr)
    tests = compare_proportions(col_pct[r, ii] * n_eff[r, ii], n_eff[r, ii], col_pct[r, jj] * n_eff[r, jj],
                                n_eff[r, jj])
    significant = adjust_pvalues(tests["p_value"].to_numpy(), method=adjust, alpha=1 - conf_level)["reject"]
    higher = [[[] for _ in range(nc)] for _ in range(nr)]
    for rr, a, b, sig, d in zip(r, ii, jj, significant.to_numpy(), tests["diff"].to_numpy(), strict=True):
        if sig:  # a loop over the significant column pairs of a small table, not over respondents
            winner, loser = (a, b) if d > 0 else (b, a)
            higher[rr][winner].append(string.ascii_uppercase[loser])
    n = int(count.sum())
    if weight is None:
        from .contingency import chi2_independence

        res = chi2_independence(count)
        test = {"statistic": res.statistic, "dof": res.dof, "ddf": np.nan, "p_value": res.p_value,
                "method": "Pearson chi-square"}
    else:
        f, d0, ddf, p = _rao_scott(cells, nr, nc, n)
        test = {"statistic": f, "dof": d0, "ddf": ddf, "p_value": p, "method": "Rao-Scott F (second order)"}
    test.update(adjust=adjust, alpha=1 - conf_level)
    table = pd.DataFrame({
        "row": cells["row"].to_numpy(), "col": cells["col"].to_numpy(),
        "letter": np.tile(list(string.ascii_uppercase[:nc]), nr), "count": count.ravel(),
        "weighted_count": weighted.ravel(), "col_pct": col_pct.ravel(), "base": np.tile(base, nr),
        "weighted_base": np.tile(weighted_base, nr), "n_effective": n_eff.ravel(),
        "higher_than": ["".join(sorted(x)) for row_cells in higher for x in row_cells],
        "small_base": np.tile(base < SMALL_BASE, nr),
    })
    return CrosstabResult(table=table, test=pd.DataFrame([test]), n_missing=n_missing)
