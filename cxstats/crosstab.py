"""Banner crosstabs the market-research way: column percentages, significance letters, a design-based chi-square.

A crosstab is a set of domain estimates: the share of each row answer within
each banner column, computed from the one aggregation of the survey design
(so a Parquet/CSV file is aggregated by DuckDB where it lies, and strata and
clusters are respected). The overall test is Pearson's chi-square for an
unweighted simple random sample and the Rao-Scott F test otherwise.
"""

from __future__ import annotations

import functools
import string
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._aggregate import aggregate
from ._inference import f_p_value, p_value, pooled_z
from ._linearize import variance
from ._validate import check_open_unit
from .multiple import ADJUST_METHODS, _adjusted
from .survey import _proportion_frame, _unique_with_nan, as_design, by_columns, domain_variance, domains, moments

SMALL_BASE = 30


@dataclass(frozen=True)
class CrosstabResult:
    """Result of :func:`crosstab`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per cell: the row answer and the banner column under their own
        names, ``letter`` (the column's letter), ``n`` (respondents in the
        cell), ``weighted_n``, ``estimate`` (weighted share of the column, 0
        to 1), ``se``, ``ci_low``, ``ci_high`` (logit interval, as
        :func:`cxstats.weighted_proportion`), ``deff``, ``n_effective``
        (``base / deff``), ``base`` (respondents in the column who answered
        the row question), ``n_missing`` (in the column, without a row
        answer), ``weighted_base``, ``n_kish`` (the column's Kish effective
        base), ``higher_than`` (letters of the columns this cell is
        significantly higher than) and ``small_base`` (base below 30).
    test : pandas.DataFrame
        One row: ``statistic``, ``df`` (degrees of freedom; the numerator's
        for the F test), ``df_denom`` (the F test's denominator), ``p_value``, ``method``,
        ``adjust`` and ``letters`` (how the letters were tested).
    n_missing : int
        Respondents (with a positive weight) left out for a missing row or column answer.
    row, column : str
        The two variables.
    """

    table: pd.DataFrame
    test: pd.DataFrame
    n_missing: int
    row: str
    column: str

    def to_frame(self) -> pd.DataFrame:
        """The tidy cell table."""
        return self.table

    def to_html(self, decimals=0) -> str:
        """A banner table: column percentages with significance letters, bases underneath, small bases flagged."""
        import html

        t = self.table
        cols = list(dict.fromkeys(t[self.column]))
        rows = list(dict.fromkeys(t[self.row]))
        letters = dict(zip(t[self.column], t["letter"], strict=False))
        base = t.drop_duplicates(self.column).set_index(self.column)
        head = "".join(f"<th>{html.escape(str(c))}<br><small>({letters[c]})</small></th>" for c in cols)
        body = []
        cells = t.set_index([self.row, self.column])
        for r in rows:
            tds = []
            for c in cols:
                cell = cells.loc[(r, c)]
                text = "-" if np.isnan(cell["estimate"]) else f"{100 * cell['estimate']:.{decimals}f}%"
                if cell["higher_than"]:
                    text += f" <b>{html.escape(cell['higher_than'])}</b>"
                tds.append(f"<td>{text}</td>")
            body.append(f"<tr><th>{html.escape(str(r))}</th>{''.join(tds)}</tr>")
        bases = "".join(
            f"<td>{int(base.loc[c, 'base'])}{' *' if base.loc[c, 'small_base'] else ''}</td>" for c in cols
        )
        body.append(f"<tr class='base'><th>Base (respondents)</th>{bases}</tr>")
        test = self.test.iloc[0]
        notes = (f"Letters: the cell is significantly higher than the lettered column ({test['letters']}, "
                 f"{test['adjust']} adjusted, at {1 - test['conf_level']:.3g}). "
                 f"{test['method']}: statistic {test['statistic']:.2f}, p = {test['p_value']:.3g}.")
        if base["small_base"].any():
            notes += f" * Base below {SMALL_BASE}: read with caution."
        return (f"<table class='banner'><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody>"
                f"<caption style='caption-side: bottom; text-align: left'>{html.escape(notes)}</caption></table>")

    def _repr_html_(self) -> str:
        return self.to_html()


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


def _rao_scott(shares, cov, n, degf):
    """Second-order Rao-Scott F test from the cell shares (row-major) and their design covariance.

    As R's ``svychisq(statistic = "F")``: Pearson's X^2 on the weighted table
    scaled to ``n`` respondents, divided by the mean generalized design
    effect, referred to F with ``d0`` and ``d0 * degf`` degrees of freedom.
    """
    nr, nc = shares.shape
    p = shares.ravel()
    contrast = _interaction_contrasts(nr, nc)
    inv_p = np.where(p > 0, 1 / np.where(p > 0, p, 1), 0.0)
    denom = contrast.T @ (inv_p[:, None] * contrast) / n
    numer = contrast.T @ (inv_p[:, None] * cov * inv_p[None, :]) @ contrast
    delta = np.linalg.solve(denom, numer)
    trace = np.trace(delta)
    d0 = trace**2 / np.trace(delta @ delta)
    table = p.reshape(nr, nc) * n
    expected = np.outer(table.sum(1), table.sum(0)) / n
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.nansum((table - expected) ** 2 / expected)
    f = pearson / trace
    return f, d0, d0 * degf, float(f_p_value(f, d0, d0 * degf))


def _levels(totals, key):
    """The answers of a crosstab variable: declared categories, or the observed values in order."""
    declared = totals.levels.get(key)
    values = declared if declared is not None else sorted(totals.table[key].dropna().unique().tolist())
    return list(values)


def crosstab(data, row, column, *, weight=None, conf_level=0.95, adjust="holm") -> CrosstabResult:
    """Banner crosstab of ``row`` by ``column`` with column percentages and significance letters.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        Respondents (see :func:`cxstats.survey_design`); a ``.parquet`` or
        ``.csv`` path is aggregated by DuckDB without loading it.
    row, column : str
        The answer shown down the side and the banner variable across the top.
    weight : str, optional
        Survey weights (not with a design).
    conf_level : float, default 0.95
        Letters are shown at 1 - conf_level.
    adjust : str, default "holm"
        Multiple-comparison method over all column pairs in the table (as
        :func:`cxstats.adjust_pvalues`; "none" for none).

    Returns
    -------
    CrosstabResult
        ``table`` (tidy cells), ``test`` (chi-square), ``n_missing``;
        ``to_html()`` renders the banner table.

    Raises
    ------
    ValueError
        A missing column, the same variable twice, fewer than 2 answers on
        either side, more than 26 banner columns, bad weights or options.

    Notes
    -----
    Column percentages, their standard errors and design effects are domain
    estimates of the design (as R's ``svyby(~I(row == r), ~column, design,
    svyciprop)``). Letters: for a simple (unstratified, unclustered) sample,
    two-proportion pooled z tests of the column percentages on each column's
    Kish effective base, as banner software does (equal to the unweighted
    test without weights); with strata or clusters, design-based t tests of
    the difference with the covariance of the two columns (as ``svyby(...,
    covmat = TRUE)`` + ``svycontrast``, ``degf`` degrees of freedom). The
    p-values are adjusted together, as :func:`cxstats.adjust_pvalues`. The
    overall test is Pearson's chi-square without weights or design, and the
    second-order Rao-Scott F otherwise (equal to R's ``svychisq(statistic =
    "F")``). A banner column with no respondents is kept, with missing
    percentages, and left out of the tests.

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
    >>> res.table[["verdict", "channel", "estimate", "higher_than"]]
      verdict channel  estimate higher_than
    0     bad    chat       0.4
    1     bad   phone       0.7           A
    2    good    chat       0.6           B
    3    good   phone       0.3
    """
    conf_level = check_open_unit("conf_level", conf_level)
    if adjust not in ADJUST_METHODS:
        raise ValueError(f"adjust={adjust!r} is not valid; choose one of: {', '.join(map(repr, ADJUST_METHODS))}")
    design, row = as_design(data, row, weight)
    if not isinstance(column, str):
        raise ValueError(f"column must be one column name (the banner variable), got {column!r}")
    if column == row:
        raise ValueError(f"row and column are both {row!r}; a crosstab needs two different variables")
    by_columns(design, column, row)
    discrete = aggregate(design, keys=(row, column))
    table = discrete.table
    rows, cols = _levels(discrete, row), _levels(discrete, column)
    nr, nc = len(rows), len(cols)
    if nr < 2 or nc < 2:
        raise ValueError(f"crosstab needs at least 2 answers of {row!r} and 2 of {column!r}; got {nr} and {nc}")
    if nc > 26:
        raise ValueError(f"{column!r} has {nc} categories; a banner takes at most 26 columns")
    answered = table[row].notna() & table[column].notna()
    n_missing = int(table.loc[~answered, "n_pos"].sum())
    row_answers, row_inverse = _unique_with_nan(table[row].to_numpy(dtype=object))
    # one domain estimate per row answer: its share in every banner column
    frames, doms = [], []
    for r in rows:
        hit = np.array([np.nan if pd.isna(v) else float(v == r) for v in row_answers])[row_inverse]
        dom = domains(design, moments(discrete, [column], hit), [column])
        frame = _proportion_frame(design, dom, [column], conf_level, "logit")
        keep = frame[column].notna().to_numpy()
        frames.append(frame[keep].set_index(column).reindex(cols))
        doms.append((dom, keep))
    cell_n = table[answered].groupby([row, column], observed=True)["n_pos"].sum()
    cell_w = table[answered].groupby([row, column], observed=True)["sw"].sum()
    estimate = np.array([f["estimate"].to_numpy() for f in frames])  # rows x columns
    base = frames[0]["n"].to_numpy()
    weighted_base = frames[0]["weighted_n"].to_numpy()
    col_tables = [table[answered & (table[column] == c)] for c in cols]
    n_kish = np.array([t["sw"].sum() ** 2 / t["sw2"].sum() if len(t) else np.nan for t in col_tables])
    simple = not design.strata and not design.cluster
    filled = base > 0
    higher, letters_method, pvals, pairs = _letters(design, estimate, n_kish, doms, filled, simple, conf_level,
                                                    adjust, cols)
    test = _overall_test(design, discrete, row, column, rows, cols, answered, simple)
    test.update(adjust=adjust, conf_level=conf_level, letters=letters_method)
    index = pd.MultiIndex.from_product([rows, cols])
    out = pd.DataFrame({
        row: np.repeat(np.array(rows, dtype=object), nc), column: np.tile(np.array(cols, dtype=object), nr),
        "letter": np.tile(list(string.ascii_uppercase[:nc]), nr),
        "n": cell_n.reindex(index, fill_value=0).to_numpy().astype(np.int64),
        "weighted_n": cell_w.reindex(index, fill_value=0.0).to_numpy(),
        "estimate": estimate.ravel(),
        **{name: np.concatenate([f[name].to_numpy() for f in frames])
           for name in ("se", "ci_low", "ci_high", "deff", "n_effective")},
        "base": np.tile(base, nr).astype(np.int64), "n_missing": np.tile(frames[0]["n_missing"].to_numpy(), nr),
        "weighted_base": np.tile(weighted_base, nr), "n_kish": np.tile(n_kish, nr),
        "higher_than": ["".join(sorted(x)) for row_cells in higher for x in row_cells],
        "small_base": np.tile(base < SMALL_BASE, nr),
    })
    return CrosstabResult(table=out, test=pd.DataFrame({k: [v] for k, v in test.items()}), n_missing=n_missing,
                          row=row, column=column)


def _letters(design, estimate, n_kish, doms, filled, simple, conf_level, adjust, cols):
    """Which cells are significantly higher than which columns, within every row of the table."""
    nr, nc = estimate.shape
    i, j = np.triu_indices(nc, k=1)
    usable = filled[i] & filled[j]
    i, j = i[usable], j[usable]
    diff = estimate[:, i] - estimate[:, j]
    if simple:  # banner convention: pooled z on Kish effective bases
        z = pooled_z(estimate[:, i] * n_kish[i], n_kish[i], estimate[:, j] * n_kish[j], n_kish[j])
        p = p_value(z, "two-sided")
        method = "column-proportion z tests on effective bases"
    else:
        p = np.full(diff.shape, np.nan)
        for r, (dom, keep) in enumerate(doms):
            cov = domain_variance(design, dom, diagonal=False)[np.ix_(keep, keep)]
            order = [list(dom.labels.loc[keep, dom.labels.columns[0]]).index(c) if f else -1
                     for c, f in zip(cols, filled, strict=True)]
            a, b = np.array(order)[i], np.array(order)[j]
            with np.errstate(invalid="ignore", divide="ignore"):
                se = np.sqrt(np.maximum(cov[a, a] + cov[b, b] - 2 * cov[a, b], 0.0))
                p[r] = p_value(diff[r] / se, "two-sided", design.degf)
        method = f"design-based t tests, {design.degf} degrees of freedom"
    flat = p.ravel()
    tested = np.isfinite(flat)
    significant = np.zeros(flat.shape, dtype=bool)
    if tested.any():
        adjusted = _adjusted(flat[tested], adjust) if adjust != "none" else flat[tested]
        significant[tested] = adjusted < 1 - conf_level
    higher = [[[] for _ in range(nc)] for _ in range(nr)]
    for rr, pair in zip(*np.nonzero(significant.reshape(diff.shape)), strict=True):
        # a loop over the significant column pairs of a small table, not over respondents
        a, b = i[pair], j[pair]
        winner, loser = (a, b) if diff[rr, pair] > 0 else (b, a)
        higher[rr][winner].append(string.ascii_uppercase[loser])
    return higher, method, p, (i, j)


def _overall_test(design, discrete, row, column, rows, cols, answered, simple):
    """Pearson chi-square (unweighted simple sample) or Rao-Scott F (weights, strata or clusters)."""
    table = discrete.table[answered]
    grid = table.groupby([row, column], observed=True)[["n", "n_pos", "sw"]].sum()
    index = pd.MultiIndex.from_product([rows, cols])
    counts = grid["n_pos"].reindex(index, fill_value=0).to_numpy().reshape(len(rows), len(cols))
    keep_r, keep_c = counts.sum(axis=1) > 0, counts.sum(axis=0) > 0
    if keep_r.sum() < 2 or keep_c.sum() < 2:
        return {"statistic": np.nan, "df": np.nan, "df_denom": np.nan, "p_value": np.nan,
                "method": "no test: fewer than 2 answered rows or columns"}
    if simple and design.weight is None:
        from .contingency import chi2_independence

        res = chi2_independence(counts[np.ix_(keep_r, keep_c)])
        return {"statistic": res.statistic, "df": res.df, "df_denom": np.nan, "p_value": res.p_value,
                "method": "Pearson chi-square"}
    cells = [(r, c) for r, kr in zip(rows, keep_r, strict=True) if kr for c, kc in zip(cols, keep_c, strict=True)
             if kc]
    # joint cell shares among the answered rows, with their full design covariance
    position = {cell: k for k, cell in enumerate(cells)}
    full = discrete.table
    cell_of = np.array([position.get((r, c), -1) if ok else -1 for r, c, ok in
                        zip(full[row], full[column], answered, strict=True)])
    sw = full["sw"].to_numpy()
    W = sw[cell_of >= 0].sum()
    K = len(cells)
    shares = np.bincount(cell_of[cell_of >= 0], weights=sw[cell_of >= 0], minlength=K) / W
    a = np.zeros((len(full), K))
    rows_in = np.flatnonzero(cell_of >= 0)
    a[rows_in] = -shares / W
    a[rows_in, cell_of[rows_in]] += 1 / W
    vtable = full.assign(sw_y=sw, swy=0.0, sw2_y=full["sw2"].to_numpy(), sw2y=0.0, sw2y2=0.0)
    cov = variance(design, vtable, a, np.zeros_like(a), diagonal=False)
    n = int(full.loc[answered, "n_pos"].sum())
    f, d0, ddf, p = _rao_scott(shares.reshape(keep_r.sum(), keep_c.sum()), cov, n, design.degf)
    return {"statistic": f, "df": d0, "df_denom": ddf, "p_value": p, "method": "Rao-Scott F (second order)"}
