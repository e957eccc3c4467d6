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

from ._aggregate import Totals, aggregate
from ._frames import frame, frames
from ._inference import f_p_value, p_value, pooled_z
from ._linearize import variance
from ._validate import check_open_unit
from .design import weighted_design_and_sums
from .multiple import ADJUST_METHODS, _adjusted
from .multiple_response import counted_values, set_columns, set_labels, ticks
from .survey import _domain_degf, _proportion_interval, as_design, by_columns, check_group_names

SMALL_BASE = 30
_LETTERS = np.array(list(string.ascii_uppercase), dtype=object)  # the banner columns' letters
TABLE_COLUMNS = ("letter", "n", "weighted_n", "estimate", "se", "ci_low", "ci_high", "deff", "n_effective", "base",
                 "n_missing", "weighted_base", "n_kish", "higher_than", "small_base")


def _p_text(p) -> str:
    """A p-value for a reader: "p < 0.001", else "p = " and two significant digits."""
    from .display import format_value

    text = format_value(p, "p_value")
    return f"p {text}" if text.startswith("<") else f"p = {text}"


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
        ``adjust`` and ``letters`` (how the letters were tested). With a
        multiple-response banner, one row per option (``option``, its
        column), the test of the row answers against ticking it, with
        ``p_adjusted``.
    n_missing : int
        Respondents (with a positive weight) left out for a missing row or column answer (with a
        multiple-response banner: a missing row answer, or no option ticked).
    row, column : str
        The two variables (a multiple-response banner: the set's name, or ``"option"``).
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
                 f"{test['adjust']} adjusted, at {1 - test['conf_level']:.3g}). ")
        if "option" in self.test:  # a multiple-response banner: one test per option
            notes += "Each option against the row answers, " + ", ".join(
                f"{letters[c]}: {_p_text(p)}" if np.isfinite(p) else f"{letters[c]}: not tested"
                for c, p in zip(cols, self.test["p_adjusted"], strict=True)) + f" ({test['method']}, " \
                f"{test['adjust']} adjusted)."
        elif np.isnan(test["p_value"]):
            notes += f"{test['method']}."
        else:
            notes += f"{test['method']}: statistic {test['statistic']:.2f}, {_p_text(test['p_value'])}."
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


@functools.lru_cache(maxsize=32)
def _column_pairs(nc):
    """The pairs of banner columns (i < j), read-only; one per width."""
    pairs = np.triu_indices(nc, k=1)
    for index in pairs:
        index.flags.writeable = False  # shared between calls
    return pairs


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
        terms = (table - expected) ** 2 / expected
    terms[np.isnan(terms)] = 0.0  # as np.nansum
    pearson = terms.sum()
    f = pearson / trace
    return f, d0, d0 * degf, float(f_p_value(f, d0, d0 * degf))


def _levels(totals, key) -> np.ndarray:
    """Codes of a crosstab variable's answers: declared categories and observed answers, missing excluded."""
    used = np.zeros(len(totals.labels[key]), dtype=bool)
    used[totals.codes[key]] = True
    used[: totals.declared[key]] = True
    codes = np.flatnonzero(used)
    return codes[~pd.isna(totals.labels[key][codes])]


def crosstab(data, row, column, *, weight=None, conf_level=0.95, adjust="holm") -> CrosstabResult:
    """Banner crosstab of ``row`` by ``column`` with column percentages and significance letters.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        Respondents (see :func:`cxstats.survey_design`); a ``.parquet`` or
        ``.csv`` path is aggregated by DuckDB without loading it.
    row : str
        The answer shown down the side.
    column : str or list of str
        The banner variable across the top; or a multiple-response
        (select-all) question: a list of its option columns, or the name of
        a set in ``data.attrs["multiple_response_sets"]`` (as
        :func:`cxstats.read_responses` lists a survey tool's select-all
        questions). Each option is then a banner column of the respondents
        who ticked it (see Notes).
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
    "F")``). A banner column with no respondents of positive weight is kept,
    with missing percentages, and left out of the letters; the overall test
    over a table with an empty row or column is not computed (as R's), and
    ``test["method"]`` names the empty categories. Answers come in a categorical's
    order (its declared categories included) for a DataFrame; read from a
    file, they are the values found, sorted (DuckDB reads categories as text).

    A multiple-response banner has overlapping columns: a respondent who
    ticked two options is in both, so two columns' percentages are not
    independent samples and neither the pooled z tests nor a chi-square
    over the whole table apply. The letters are then always design-based t
    tests whose variance of a difference, ``V1 + V2 - 2 C12``, takes the
    covariance from the respondents in both columns (each respondent's
    influence on every column it belongs to, summed within PSUs); the
    overall test is one test per option of the row answers against ticking
    it or not (Pearson's chi-square, or the Rao-Scott F with weights or a
    design, on the respondents who answered the row question), the p-values
    Holm-adjusted over the options (``adjust``). This is the item-by-item
    test of multiple marginal independence (MMI) of Bilder, Loughin and
    Nettleton (2000), the hypothesis of Agresti and Liu (1999), with Holm's
    step-down adjustment in place of their Bonferroni bound and Rao and
    Scott's correction for the design. A respondent whose answer to an
    option is missing (a blank in a column that writes 0 for "not ticked")
    is left out of that option's column and its test.

    References
    ----------
    Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
    contingency tables with cell proportions estimated from survey data.
    Annals of Statistics 12, 46-60.
    Bilder, C. R., Loughin, T. M. and Nettleton, D. (2000). Multiple marginal
    independence testing for pick any/c variables. Communications in
    Statistics - Simulation and Computation 29, 1285-1316.
    doi:10.1080/03610910008813665.
    Agresti, A. and Liu, I.-M. (1999). Modeling a categorical variable allowing
    arbitrarily many category choices. Biometrics 55, 936-943.

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
    design, row, first = _design(data, row, column, weight)
    if isinstance(column, list | tuple) or (isinstance(column, str) and column in _set_names(design)
                                           and column not in design.columns):
        return _set_crosstab(design, data, row, column, conf_level, adjust)
    if not isinstance(column, str):
        raise ValueError(f"column must be one column name (the banner variable), a list of a multiple-response "
                         f"question's option columns, or the name of such a set; got {column!r}")
    if column == row:
        raise ValueError(f"row and column are both {row!r}; a crosstab needs two different variables")
    by_columns(design, column, row)
    check_group_names([row, column], TABLE_COLUMNS)
    cells = _cells(design, first if first is not None else aggregate(design, keys=(row, column)), row, column)
    nr, nc = len(cells["rows"]), len(cells["cols"])
    if nr < 2 or nc < 2:
        raise ValueError(f"crosstab needs at least 2 answers of {row!r} and 2 of {column!r}; got {nr} and {nc}")
    if nc > 26:
        raise ValueError(f"{column!r} has {nc} categories; a banner takes at most 26 columns")
    simple = not design.strata and not design.cluster
    filled = cells["base"] > 0
    higher, letters_method = _letters(design, cells, filled, simple, conf_level, adjust)
    test = _overall_test(design, cells, simple)
    test.update(adjust=adjust, conf_level=conf_level, letters=letters_method)
    out, test = frames(_cell_columns(cells, row, column, cells["col_labels"], higher, conf_level), _one_row(test))
    return CrosstabResult(table=out, test=test, n_missing=cells["n_missing_total"], row=row, column=column)


def _design(data, row, column, weight):
    """The design of ``data`` (as every estimate makes it) and, for a DataFrame with weights only, the sums of the
    cells taken in the pass that checks the weights (else None): the weights are read once."""
    if isinstance(data, pd.DataFrame) and isinstance(row, str) and isinstance(column, str) and row != column \
            and not isinstance(data.columns, pd.MultiIndex) and row in data.columns and column in data.columns:
        design, first = weighted_design_and_sums(data, weight, (row, column))
        return design, row, first
    return *as_design(data, row, weight), None


def _one_row(values: dict) -> tuple:
    """The (names, arrays) of a one-row table of ``values``, each column typed as from a one-item list."""
    return tuple(values), [np.array([value], dtype=object if isinstance(value, str) else None)
                           for value in values.values()]


def _cell_table(cells, row, column, col_labels, higher, conf_level) -> pd.DataFrame:
    """The banner's cells, one row each: share, SE, logit interval, design effect, bases and letters."""
    return frame(*_cell_columns(cells, row, column, col_labels, higher, conf_level))


def _cell_columns(cells, row, column, col_labels, higher, conf_level) -> tuple:
    """The (names, arrays) of :func:`_cell_table`."""
    estimate, base = cells["estimate"], cells["base"]
    nr, nc = estimate.shape
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(base > 0, cells["variance"], np.nan)  # an empty column has no share, so no spread
        se = np.sqrt(var)
        deff = var / (estimate * (1 - estimate) / (base - 1))
        # the cells (rows) by banner columns: each column's t quantile found once, then spread over its cells
        low, high = _proportion_interval(estimate, se, cells["df"], np.broadcast_to(cells["n_kish"], estimate.shape),
                                         cells["nrow"], conf_level, "logit")
    return (row, column, *TABLE_COLUMNS), [  # arrays of this result alone
        np.repeat(cells["row_labels"], nc), _each_row(col_labels, nr), _each_row(_LETTERS[:nc], nr),
        cells["n"].ravel(), cells["weighted"].ravel(), estimate.ravel(), se.ravel(), low.ravel(), high.ravel(),
        deff.ravel(), (base / deff).ravel(), _each_row(base, nr), _each_row(cells["n_missing"], nr),
        _each_row(cells["weighted_base"], nr), _each_row(cells["n_kish"], nr),
        np.array(["".join(sorted(x)) for row_cells in higher for x in row_cells], dtype=object),
        _each_row(base < SMALL_BASE, nr)]


def _each_row(values, nr: int) -> np.ndarray:
    """``values`` (one per banner column, or per group) repeated end to end for each of ``nr`` row answers:
    ``np.tile(values, nr)`` for one dimension, without its overhead."""
    return np.asarray(values)[np.newaxis].repeat(nr, axis=0).ravel()


def _cells(design, discrete, row, column) -> dict:
    """Per-cell counts, weights, column shares and their design variances, from the one aggregation.

    Each column share ``p_rc = W_rc / W_c`` is a ratio estimate in the domain
    of banner column ``c`` (rows that answered the row question); its
    influence in a group of rows of cell ``(r', c)`` is ``w (1[r' = r] -
    p_rc) / W_c``, so one call of the variance engine gives every cell's
    variance (and, with :func:`_coefficients`, their covariance for the
    letters of a clustered design).
    """
    rows, cols = _levels(discrete, row), _levels(discrete, column)
    nr, nc = len(rows), len(cols)
    r = _positions(rows, len(discrete.labels[row]))[discrete.codes[row]]
    c = _positions(cols, len(discrete.labels[column]))[discrete.codes[column]]
    answered = (r >= 0) & (c >= 0)
    K = nr * nc
    cell = np.where(answered, r * nc + c, K)  # unanswered groups in a bin of their own
    add = lambda values: np.bincount(cell, weights=values, minlength=K + 1)[:-1].reshape(nr, nc)  # noqa: E731
    n, weighted, sw2 = add(discrete["n_pos"]), add(discrete["sw"]), add(discrete["sw2"])
    W = weighted.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = weighted / W
    by_column = np.where(c >= 0, c, nc)  # groups without a banner answer in a bin of their own
    no_row = (c >= 0) & (r < 0)
    col_missing = np.bincount(c[no_row], weights=discrete["n_pos"][no_row], minlength=nc)
    # influence coefficients of the answered groups g (cell r', c) on the shares of their column: (1[r' = rr] - p) / W_c
    g = np.flatnonzero(answered)
    c_g = c[g]
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = ((r[g] == np.arange(nr)[:, None]) - estimate[:, c_g]) / W[c_g]  # row answers x g
    if not np.isfinite(coef).all():  # a column without weight: no influence (0) on shares it has none of
        coef = np.nan_to_num(coef)
    target = np.arange(nr)[:, None] * nc + c_g  # the share (rr, c) each coefficient is on
    none = np.zeros(len(discrete))
    sums = discrete.replace(sw_y=np.where(answered, discrete["sw"], 0.0),
                            sw2_y=np.where(answered, discrete["sw2"], 0.0), swy=none, sw2y=none, sw2y2=none)
    H = len(design.strata_table)
    present = np.zeros((H, nc), dtype=bool)
    present[discrete["stratum"][g], c_g] = True
    variance_cells = _share_variances(design, sums, g, nr, coef, target, np.tile(present, nr)).reshape(nr, nc)
    df = _domain_degf(discrete, by_column, nc + 1, design)[:nc]
    nrow = np.bincount(by_column, weights=discrete["n"], minlength=nc + 1)[:nc]
    with np.errstate(invalid="ignore", divide="ignore"):
        n_kish = W**2 / sw2.sum(axis=0)
    return {"rows": rows, "cols": cols, "row_labels": discrete.labels[row][rows],
            "col_labels": discrete.labels[column][cols], "n": n.astype(np.int64), "weighted": weighted,
            "estimate": estimate, "variance": variance_cells, "base": n.sum(axis=0).astype(np.int64),
            "weighted_base": W, "n_missing": col_missing.astype(np.int64), "n_kish": n_kish, "df": df,
            "nrow": nrow, "n_missing_total": int(discrete["n_pos"][~answered].sum()), "sums": sums, "cell": cell,
            "coefficients": (g, target, coef)}


def _coefficients(cells) -> np.ndarray:
    """The groups x shares matrix of influence coefficients of a single-response banner's column shares."""
    g, target, coef = cells["coefficients"]
    a = np.zeros((len(cells["cell"]), cells["estimate"].size))
    a[g, target] = coef
    return a


def _positions(levels, size) -> np.ndarray:
    """For each code of a variable (of ``size``), its position among ``levels``; -1 for codes left out."""
    position = np.full(size, -1)
    position[levels] = np.arange(len(levels))
    return position


def _share_variances(design, sums, g, nr, coef, target, present) -> np.ndarray:
    """Variances of the K column shares, each answered group ``g`` repeated once per row answer.

    Group g's coefficients are non-zero on the nr shares of its own column
    only, so the variance engine is given the pairs (repeat of g, share) as a
    domain: one sum per (stratum or unit, share) instead of one per share
    over every group. The non-zero terms of each share come in the same
    order as over the full groups x shares coefficients, so the variances
    are the same numbers.
    """
    columns = {name: _each_row(sums[name][g], nr) for name in ("stratum", *sums.units, "sw_y", "sw2_y")}
    zeros = np.zeros(nr * len(g))
    repeated = Totals({**columns, "swy": zeros, "sw2y": zeros, "sw2y2": zeros}, {}, (), {}, {}, sums.units)
    return variance(design, repeated, coef.ravel(), zeros, present=present, domain=(target.ravel(), present.shape[1]))


def _letters(design, cells, filled, simple, conf_level, adjust):
    """Which cells are significantly higher than which columns, within every row of the table."""
    estimate = cells["estimate"]
    nr, nc = estimate.shape
    i, j = _column_pairs(nc)
    usable = filled[i] & filled[j]
    i, j = i[usable], j[usable]
    diff = estimate[:, i] - estimate[:, j]
    if simple:  # banner convention: pooled z on Kish effective bases
        n_kish = cells["n_kish"]
        z = pooled_z(estimate[:, i] * n_kish[i], n_kish[i], estimate[:, j] * n_kish[j], n_kish[j])
        p = p_value(z, "two-sided")
        method = "column-proportion z tests on effective bases"
    else:  # design-based t tests of the differences, with the covariance of the two columns
        a = cells["a"] if "a" in cells else _coefficients(cells)
        cov = variance(design, cells["sums"], a, np.zeros_like(a), diagonal=False)
        k1, k2 = np.arange(nr)[:, None] * nc + i, np.arange(nr)[:, None] * nc + j
        with np.errstate(invalid="ignore", divide="ignore"):
            se = np.sqrt(np.maximum(cov[k1, k1] + cov[k2, k2] - 2 * cov[k1, k2], 0.0))
            p = p_value(diff / se, "two-sided", design.degf)
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
    return higher, method


def _overall_test(design, cells, simple):
    """Pearson chi-square (unweighted simple sample) or Rao-Scott F (weights, strata or clusters)."""
    counts = cells["n"]
    keep_r, keep_c = counts.sum(axis=1) > 0, counts.sum(axis=0) > 0
    if not keep_r.all() or not keep_c.all():  # as R's chisq.test and svychisq: no test over an empty row or column
        empty = [f"answer {label!r}" for label in cells["row_labels"][~keep_r]]
        empty += [f"banner column {label!r}" for label in cells["col_labels"][~keep_c]]
        return {"statistic": np.nan, "df": np.nan, "df_denom": np.nan, "p_value": np.nan,
                "method": f"no test: {', '.join(empty)} without respondents of positive weight; leave out the "
                          f"empty categories (e.g. remove_unused_categories) to test the rest"}
    if simple and design.weight is None:
        from .contingency import chi2_independence

        res = chi2_independence(counts[np.ix_(keep_r, keep_c)])
        return {"statistic": res.statistic, "df": res.df, "df_denom": np.nan, "p_value": res.p_value,
                "method": "Pearson chi-square"}
    # joint cell shares among the answered rows (every cell kept: none is empty), with their full design covariance
    K = counts.size
    cell = cells["cell"]  # K for groups outside the table
    sums = cells["sums"]
    sw = sums["sw_y"]
    rows_in = np.flatnonzero(cell < K)
    W = sw[rows_in].sum()
    shares = np.bincount(cell[rows_in], weights=sw[rows_in], minlength=K) / W
    a = np.zeros((len(sw), K))
    a[rows_in] = -shares / W
    a[rows_in, cell[rows_in]] += 1 / W
    cov = variance(design, sums, a, np.zeros_like(a), diagonal=False)
    n = int(counts.sum())
    f, d0, ddf, p = _rao_scott(shares.reshape(counts.shape), cov, n, design.degf)
    return {"statistic": f, "df": d0, "df_denom": ddf, "p_value": p, "method": "Rao-Scott F (second order)"}


# Multiple-response banners ---------------------------------------------------------------------------------------

def _set_names(design) -> dict:
    return (design.data.attrs.get("multiple_response_sets") or {}) if design.in_memory else {}


def _set_crosstab(design, data, row, column, conf_level, adjust) -> CrosstabResult:
    """A crosstab whose banner columns are the options of a select-all question (overlapping; see crosstab)."""
    source = design.data if design.in_memory else data
    options, counted = set_columns(source, list(column) if isinstance(column, tuple) else column)
    name = column if isinstance(column, str) else "option"
    by_columns(design, options)
    if row in options:
        raise ValueError(f"row {row!r} is one of the banner's option columns")
    if name == row:
        raise ValueError(f"row and column are both {row!r}; a crosstab needs two different variables")
    check_group_names([row, name], TABLE_COLUMNS)
    labels = set_labels(source, options)
    discrete = aggregate(design, keys=(row, *options))
    try:
        ticked = ticks(discrete, options, labels, counted_values(source, options, counted))
    except ValueError as err:
        raise ValueError(f"column={column!r} is taken as a select-all question's option columns (a banner of one "
                         f"variable takes one column name), but {err}") from None
    cells = _set_cells(design, discrete, row, ticked)
    cells["missing"] = np.isnan(ticked)  # a blank in a 0/1 column: out of that option's column and test
    nr, nc = len(cells["rows"]), len(options)
    if nr < 2:
        raise ValueError(f"crosstab needs at least 2 answers of {row!r}; got {nr}")
    if nc > 26:
        raise ValueError(f"the banner has {nc} options; a banner takes at most 26 columns")
    filled = cells["base"] > 0
    higher, _ = _letters(design, cells, filled, False, conf_level, adjust)
    method = f"design-based t tests with the covariance of overlapping columns, {design.degf} degrees of freedom"
    simple = not design.strata and not design.cluster
    tests = [_overall_test(design, _option_table(cells, k), simple) for k in range(nc)]
    for k in np.flatnonzero(~filled):  # say which option has no respondents, not which half of its 2-column table
        tests[k]["method"] = f"no test: no respondent with an answer to {row!r} ticked {labels[k]!r}"
    p = np.array([t["p_value"] for t in tests], dtype=float)
    p_adjusted = np.full(nc, np.nan)
    tested = np.isfinite(p)
    if tested.any():
        p_adjusted[tested] = _adjusted(p[tested], adjust) if adjust != "none" else p[tested]
    test = pd.DataFrame({"option": options, **{k: [t[k] for t in tests] for k in tests[0]},
                         "p_adjusted": p_adjusted, "adjust": adjust, "conf_level": conf_level, "letters": method})
    out = _cell_table(cells, row, name, labels, higher, conf_level)
    return CrosstabResult(table=out, test=test, n_missing=cells["n_missing_total"], row=row, column=name)


def _set_cells(design, discrete, row, ticked) -> dict:
    """Per-cell counts, shares and their design variances when a respondent may be in several banner columns.

    Column ``c`` is the domain of respondents who ticked option ``c`` and
    answered the row question; a group of rows of the aggregation belongs to
    every column it ticked, with influence ``w (1[r' = r] - p_rc) / W_c`` on
    each of them, so the covariance of two columns' shares includes the
    respondents they share.
    """
    rows = _levels(discrete, row)
    nr, nc = len(rows), ticked.shape[1]
    r = np.full(len(discrete.labels[row]), -1)
    r[rows] = np.arange(nr)
    r = r[discrete.codes[row]]
    answered = r >= 0
    inside = ticked > 0  # groups x options
    sw, sw2, n_pos = discrete["sw"], discrete["sw2"], discrete["n_pos"]
    one_hot = (r[:, None] == np.arange(nr)[None, :]) & answered[:, None]  # groups x row answers
    member = (one_hot[:, :, None] & inside[:, None, :]).astype(float)  # groups x rows x columns
    n = np.einsum("g,grc->rc", n_pos, member)
    weighted = np.einsum("g,grc->rc", sw, member)
    W = weighted.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        estimate = weighted / W
        a = np.nan_to_num(member.sum(axis=1)[:, None, :] * (one_hot[:, :, None] - estimate[None]) / W[None, None, :])
    a = a.reshape(len(discrete), nr * nc)
    none = np.zeros(len(discrete))
    sums = discrete.replace(sw_y=np.where(answered, sw, 0.0), sw2_y=np.where(answered, sw2, 0.0), swy=none,
                            sw2y=none, sw2y2=none)
    H = len(design.strata_table)
    present = np.zeros((H, nc), dtype=bool)
    for c in range(nc):  # a loop over the banner's options, not over respondents
        present[discrete["stratum"][answered & inside[:, c]], c] = True
    variance_cells = variance(design, sums, a, np.zeros_like(a), present=np.repeat(present[:, None, :], nr, axis=1)
                              .reshape(H, nr * nc), diagonal=True).reshape(nr, nc)
    df = np.array([_domain_degf(discrete, np.where(inside[:, c], 0, 1), 2, design)[0] for c in range(nc)])
    nrow = discrete["n"] @ inside
    sw2_col = np.einsum("g,grc->c", sw2, member)
    with np.errstate(invalid="ignore", divide="ignore"):
        n_kish = W**2 / sw2_col
    dropped = ~answered | ~inside.any(axis=1)
    return {"rows": rows, "row_labels": discrete.labels[row][rows], "n": n.astype(np.int64), "weighted": weighted,
            "estimate": estimate, "variance": variance_cells, "base": n.sum(axis=0).astype(np.int64),
            "weighted_base": W, "n_missing": (n_pos @ (inside & ~answered[:, None])).astype(np.int64),
            "n_kish": n_kish, "df": df, "nrow": nrow, "n_missing_total": int(n_pos[dropped].sum()), "a": a,
            "sums": sums, "r": r, "inside": inside}


def _option_table(cells, k) -> dict:
    """The row answers by ticking option ``k`` or not (a 2-column table), in the form :func:`_overall_test` reads."""
    r, inside = cells["r"], cells["inside"][:, k]
    nr = len(cells["rows"])
    cell = np.where((r >= 0) & ~cells["missing"][:, k], r * 2 + np.where(inside, 0, 1), nr * 2)
    n_pos = cells["sums"]["n_pos"]
    counts = np.bincount(cell, weights=n_pos, minlength=nr * 2 + 1)[:-1].reshape(nr, 2).astype(np.int64)
    return {"n": counts, "row_labels": cells["row_labels"], "col_labels": np.array(["ticked", "not ticked"], object),
            "cell": cell, "sums": cells["sums"]}
