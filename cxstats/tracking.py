"""Tracking NPS and CSAT over waves: a transactional feedback generator with a planted truth, and wave changes.

:func:`simulate_feedback` writes a synthetic transactional feedback table of
any size as Parquet, partitioned by month (one folder per month), chunk by
chunk so that memory stays small; :func:`feedback_truth` gives the population
values planted in it. :func:`wave_changes` tests each wave against the one
before it within one survey design, with multiplicity control over all the
changes tested.

The planted model (all constants below): a response comes from one of five
channels and four regions (ten stores each) and a customer segment; the
customer's contact was resolved or not with a channel's rate. Promoter and
detractor probabilities add a channel's base, a penalty when the contact was
not resolved, and a segment's shift; from month :data:`CHANGE_MONTH` on (the
7th month), the phone channel loses 8 points of promoters and gains 7 of
detractors, so its NPS drops by exactly 15 points; nothing else changes from
month to month. The 0-10 score is drawn within its category and the 1-5 CSAT
from its category's distribution. Loyal customers answer more often than new
ones, so the sample over-represents them; the weight of a response is its
segment's population share over its sample share, which makes the weighted
estimates consistent for the planted population values (unweighted ones are
biased towards loyal customers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._inference import critical_value, p_value
from ._validate import ALTERNATIVES, check_choice, check_open_unit, check_seed, whole_number
from .design import check_columns

CHANNELS = ("phone", "chat", "email", "store", "app")
CHANNEL_SHARES = (0.30, 0.25, 0.15, 0.20, 0.10)
REGIONS = ("North", "South", "East", "West")
REGION_SHARES = (0.30, 0.25, 0.25, 0.20)
STORES_PER_REGION = 10
SEGMENTS = ("new", "regular", "loyal")
POPULATION_SHARES = (0.30, 0.50, 0.20)  # customers
SAMPLE_SHARES = (0.20, 0.50, 0.30)  # respondents: loyal customers answer more often
RESOLVED_RATE = (0.78, 0.72, 0.64, 0.86, 0.70)  # per channel
PROMOTER_BASE = (0.52, 0.55, 0.45, 0.62, 0.58)  # per channel, a resolved contact of a regular customer
DETRACTOR_BASE = (0.18, 0.15, 0.22, 0.10, 0.14)
UNRESOLVED_SHIFT = (-0.30, 0.35)  # promoters, detractors
SEGMENT_SHIFT = ((-0.08, 0.06), (0.0, 0.0), (0.10, -0.06))  # per segment: promoters, detractors
CHANGE_MONTH = 6  # 0-based: the 7th month
CHANGE_CHANNEL = "phone"
CHANGE_SHIFT = (-0.08, 0.07)  # promoters, detractors: -15 NPS points
SCORES = ((9, 10), (7, 8), (0, 1, 2, 3, 4, 5, 6))  # promoters, passives, detractors
SCORE_PROBABILITIES = ((0.45, 0.55), (0.45, 0.55), (0.05, 0.03, 0.04, 0.07, 0.11, 0.28, 0.42))
CSAT_PROBABILITIES = (  # 1-5, per NPS category
    (0.00, 0.01, 0.04, 0.30, 0.65), (0.02, 0.06, 0.27, 0.48, 0.17), (0.22, 0.28, 0.27, 0.18, 0.05))
NPS_MISSING, CSAT_MISSING = 0.02, 0.05  # shares of responses that skipped the question
CHUNK = 1 << 21  # rows per file, each made at once: about 150 MB of memory
MAX_ROWS = 10**10


def _months(months, start) -> list:
    whole_number("months", months, 2, 1200)
    try:
        first = pd.Period(start, freq="M")
    except (TypeError, ValueError) as err:
        raise ValueError(f"start must be a month such as '2024-01', got {start!r}") from err
    return [str(first + i) for i in range(months)]


def _category_probabilities(month: int) -> np.ndarray:
    """Promoter and detractor probabilities, shape (channels, 2 resolved no/yes, segments, 2), in a month."""
    base = np.array([PROMOTER_BASE, DETRACTOR_BASE]).T  # channels x 2
    p = base[:, None, None, :] + np.array(SEGMENT_SHIFT)[None, None, :, :]
    p = np.repeat(p, 2, axis=1)
    p[:, 0] += np.array(UNRESOLVED_SHIFT)
    if month >= CHANGE_MONTH:
        p[CHANNELS.index(CHANGE_CHANNEL)] += np.array(CHANGE_SHIFT)
    return p


def feedback_truth(months=12, start="2024-01", by=("month", "channel")) -> pd.DataFrame:
    """The population values planted in :func:`simulate_feedback`'s table, per month and channel.

    Parameters
    ----------
    months : int, default 12
    start : str, default "2024-01"
        As given to :func:`simulate_feedback`.
    by : tuple of str
        ``("month", "channel")``, ``("month",)``, ``("channel",)`` or ``()``
        (the whole population over all months).

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``nps`` (points, -100 to
        100), ``promoters``, ``passives``, ``detractors`` (shares), ``csat_top2``
        (share answering 4 or 5 on the 1-5 CSAT) and ``csat_mean``: the values
        a weighted estimate converges to as the table grows (the exact
        expectations of the model in the module docstring).

    Raises
    ------
    ValueError
        A ``by`` other than those listed, ``months`` or ``start`` out of range.

    Examples
    --------
    >>> truth = feedback_truth()
    >>> truth.query("channel == 'phone'")["nps"].round(1).tolist()[5:8]  # months 6 to 8: the planted drop
    [18.7, 3.7, 3.7]
    """
    labels = _months(months, start)
    by = tuple(by)
    if by not in (("month", "channel"), ("month",), ("channel",), ()):
        raise ValueError(f"by must be ('month', 'channel'), ('month',), ('channel',) or (), got {by!r}")
    segment = np.array(POPULATION_SHARES)
    resolved = np.array(RESOLVED_RATE)
    csat = np.array(CSAT_PROBABILITIES)
    rows = []
    for m, month in enumerate(labels):
        p = _category_probabilities(m)  # channels x resolved x segments x (promoter, detractor)
        mix = np.stack([1 - resolved, resolved], axis=1)[:, :, None, None] * segment[None, None, :, None]
        promoters, detractors = (p * mix).sum(axis=(1, 2)).T
        shares = np.stack([promoters, 1 - promoters - detractors, detractors], axis=1)  # channels x categories
        for c, channel in enumerate(CHANNELS):
            answer = shares[c] @ csat
            rows.append({"month": month, "channel": channel, "promoters": shares[c, 0], "passives": shares[c, 1],
                         "detractors": shares[c, 2], "csat_top2": answer[3:].sum(),
                         "csat_mean": answer @ np.arange(1, 6), "weight": CHANNEL_SHARES[c] / len(labels)})
    table = pd.DataFrame(rows)
    values = ["promoters", "passives", "detractors", "csat_top2", "csat_mean"]
    if by != ("month", "channel"):  # population averages: channels by their shares, months alike
        keys = [table[k] for k in by] or [np.zeros(len(table), dtype=np.int64)]
        weights = table["weight"].groupby(keys, sort=False).sum()
        table = table[values].mul(table["weight"], axis=0).groupby(keys, sort=False).sum().div(weights, axis=0)
        table = table.reset_index(drop=not by)
    table["nps"] = 100 * (table["promoters"] - table["detractors"])
    return table[[*by, "nps", *values]].reset_index(drop=True)


def _pick(rng, shares, size) -> np.ndarray:
    """``size`` draws of the categories 0.. with probabilities ``shares`` (a category of share 0 is never drawn)."""
    cumulative = np.cumsum(shares, dtype=float)
    return np.searchsorted(cumulative / cumulative[-1], rng.random(size), side="right")


def _draw(rng, n, month, month_start, seconds, first_id) -> dict:
    """``n`` responses of one month as Arrow arrays (see the module docstring)."""
    import pyarrow as pa

    channel, region = _pick(rng, CHANNEL_SHARES, n), _pick(rng, REGION_SHARES, n)
    segment = _pick(rng, SAMPLE_SHARES, n)
    store = region * STORES_PER_REGION + rng.integers(0, STORES_PER_REGION, n)
    resolved = rng.random(n) < np.take(RESOLVED_RATE, channel)
    p = _category_probabilities(month)[channel, resolved.astype(np.int8), segment]
    u = rng.random(n)
    category = np.where(u < p[:, 0], 0, np.where(u >= 1 - p[:, 1], 2, 1))  # promoter, passive, detractor
    score = np.empty(n, dtype=np.int8)
    csat = np.empty(n, dtype=np.int8)
    for k in range(3):  # three categories, each drawn at once
        rows = np.flatnonzero(category == k)
        score[rows] = np.take(SCORES[k], _pick(rng, SCORE_PROBABILITIES[k], rows.size))
        csat[rows] = 1 + _pick(rng, CSAT_PROBABILITIES[k], rows.size)
    time = month_start + rng.integers(0, seconds, n).astype("timedelta64[s]")
    stores = [f"{r[0]}{s + 1:02d}" for r in REGIONS for s in range(STORES_PER_REGION)]
    text = lambda codes, labels: pa.DictionaryArray.from_arrays(codes.astype(np.int32), pa.array(labels))  # noqa: E731
    weights = np.array(POPULATION_SHARES) / np.array(SAMPLE_SHARES)
    return {
        "response_id": pa.array(first_id + np.arange(n, dtype=np.int64)),
        "response_time": pa.array(np.sort(time)),
        "channel": text(channel, CHANNELS), "region": text(region, REGIONS), "store": text(store, stores),
        "segment": text(segment, SEGMENTS),
        "nps": pa.array(score, mask=rng.random(n) < NPS_MISSING),
        "csat": pa.array(csat, mask=rng.random(n) < CSAT_MISSING),
        "resolved": pa.array(resolved), "weight": pa.array(np.take(weights, segment)),
    }


def simulate_feedback(path, rows=1_000_000, *, months=12, start="2024-01", seed=0) -> Path:
    """Write a synthetic transactional NPS/CSAT feedback table as Parquet, partitioned by month.

    Parameters
    ----------
    path : str or pathlib.Path
        A folder that does not exist yet or is empty; it receives one folder
        per month, ``month=2024-01/part-0000.parquet``, ... (a partitioned
        dataset: DuckDB, Spark, pandas and pyarrow read ``month`` as a
        column). Pass the folder to :func:`cxstats.survey_design`.
    rows : int, default 1_000_000
        Responses in all (split evenly over the months); any size, written
        in files of at most 2^21 rows, so memory stays near 150 MB
        above the interpreter's.
    months : int, default 12
    start : str, default "2024-01"
        The first month.
    seed : int, default 0
        The same seed, rows and months give the same table.

    Returns
    -------
    pathlib.Path
        The folder. Its columns: ``response_id``, ``response_time``
        (timestamp of the response), ``channel`` (phone, chat, email, store,
        app), ``region`` (North, South, East, West), ``store`` (N01-W10),
        ``segment`` (new, regular, loyal), ``nps`` (0-10, missing for about
        2%), ``csat`` (1-5, missing for about 5%), ``resolved`` (True/False),
        ``weight`` (post-stratification weight of the segment), and from the
        folder names ``month``.

    Raises
    ------
    ValueError
        A ``path`` that is a file or a folder with files in it, ``rows`` below
        one per month or above 10^10, a bad ``months``, ``start`` or ``seed``.

    Notes
    -----
    The planted model is described in the module docstring and its population
    values are :func:`feedback_truth`'s: phone's NPS drops by 15 points in
    the 7th month; nothing else changes between months.

    Examples
    --------
    >>> import tempfile, cxstats
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = simulate_feedback(tmp + "/feedback", rows=24_000, seed=1)
    ...     months = sorted(p.name for p in folder.iterdir())
    ...     answered = cxstats.nps(folder, "nps", weight="weight")["n"].item()
    >>> months[:2], answered  # 2% skipped the question
    (['month=2024-01', 'month=2024-02'], 23540)
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    labels = _months(months, start)
    rows = whole_number("rows", rows, len(labels), MAX_ROWS)
    check_seed(seed)
    path = Path(path)
    if path.is_file() or (path.is_dir() and any(path.iterdir())):
        raise ValueError(f"path {str(path)!r} must be a new or empty folder (the table is written there, one folder "
                         "per month); choose another")
    streams = np.random.SeedSequence(seed).spawn(len(labels))
    per_month = np.full(len(labels), rows // len(labels))
    per_month[: rows % len(labels)] += 1
    first_id = 0
    for m, (month, count) in enumerate(zip(labels, per_month, strict=True)):
        folder = path / f"month={month}"
        folder.mkdir(parents=True)
        rng = np.random.default_rng(streams[m])
        period = pd.Period(month, freq="M")
        start_time = np.datetime64(period.start_time.to_datetime64(), "s")
        seconds = int((period.end_time - period.start_time).total_seconds()) + 1
        for part, offset in enumerate(range(0, int(count), CHUNK)):  # files of CHUNK rows, each made at once
            n = int(min(CHUNK, count - offset))
            table = pa.table(_draw(rng, n, m, start_time, seconds, first_id))
            pq.write_table(table, folder / f"part-{part:04d}.parquet")
            first_id += n
    return path


def wave_changes(data, column=None, *, wave, by=None, measure="nps", level=None, k=2, scale=None, weight=None,
                 conf_level=0.95, alternative="two-sided", adjust="holm") -> pd.DataFrame:
    """Change since the previous wave (month, quarter) for NPS, a share, a top-box or a mean, tested within one design.

    Parameters
    ----------
    data : DataFrame, path, ibis.Table or SurveyDesign
        One survey in which the waves (and groups) are domains: the changes
        and their covariances come from the one design, as in
        :func:`cxstats.compare_domains`.
    column : str
        The answer.
    wave : str
        The wave column. Waves are taken in sorted order of their values, so
        use sortable labels (``"2024-01"``, dates, numbers); rows without a
        wave stay in the design but are not compared.
    by : str or list of str, optional
        Groups (channels, regions) followed each on its own: every group's
        wave-over-wave changes are tested.
    measure : {"nps", "mean", "proportion", "top_box", "bottom_box"}
        What is compared; ``level``, ``k``, ``scale`` as in
        :func:`cxstats.compare_domains`.
    weight : str, optional
    conf_level : float, default 0.95
    alternative : {"two-sided", "less", "greater"}
        ``greater`` tests for a rise since the previous wave.
    adjust : str, default "holm"
        Multiple-comparison method over every change tested (all groups and
        waves together, as :func:`cxstats.adjust_pvalues`; "none" for none).

    Returns
    -------
    pandas.DataFrame
        One row per group and pair of consecutive waves: the ``by`` columns,
        ``group1`` (the wave), ``group2`` (the wave before it),
        ``estimate1``, ``estimate2``, ``diff`` (the change, ``estimate1 -
        estimate2``; NPS in points), ``se``, ``ci_low``, ``ci_high`` (t with
        ``df``, not adjusted), ``statistic``, ``df`` (the design's degrees of
        freedom), ``p_value``, ``p_adjusted``, ``n1``, ``n2``, ``measure``,
        ``note``. A wave without answers in a group is listed with a note and
        left out of the tests and the adjustment.

    Raises
    ------
    ValueError
        A ``wave`` that is not one column (or is the answer or among ``by``),
        fewer than two waves, and the errors of
        :func:`cxstats.compare_domains`.

    Notes
    -----
    The variance of a change is ``V1 + V2 - 2 C12`` over the full design
    (Taylor linearization, as R's ``svyby(..., covmat = TRUE)`` with
    ``svycontrast``), so waves that share PSUs are compared correctly; with
    independent waves the covariance is zero. Holm's method keeps the chance
    of any false alarm among all the changes tested at most ``1 -
    conf_level``.

    References
    ----------
    Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley, section 3.5.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6, 65-70.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ltr": [10, 9, 3, 10] * 25 + [10, 7, 3, 3] * 25 + [10, 7, 3, 3] * 25,
    ...                    "month": ["2024-01"] * 100 + ["2024-02"] * 100 + ["2024-03"] * 100})
    >>> wave_changes(df, "ltr", wave="month")[["group1", "group2", "diff"]]
        group1   group2  diff
    0  2024-02  2024-01 -75.0
    1  2024-03  2024-02   0.0
    """
    from .multiple import ADJUST_METHODS, _adjusted
    from .survey import MEASURES, _measure_totals, as_design, by_columns, domain_variance, domains

    check_choice("measure", measure, MEASURES)
    check_choice("alternative", alternative, ALTERNATIVES)
    check_choice("adjust", adjust, ADJUST_METHODS)
    conf_level = check_open_unit("conf_level", conf_level)
    design, column = as_design(data, column, weight)
    groups = by_columns(design, by, column)
    if not isinstance(wave, str):
        raise ValueError(f"wave must be one column name, got {wave!r}")
    if wave == column or wave in groups:
        raise ValueError(f"wave={wave!r} is also the answer or one of by={groups}; give a separate wave column")
    check_columns(design.data, wave, where=design.source)
    keys = [*groups, wave]
    dom = domains(design, _measure_totals(design, column, keys, measure, level, k, scale, lean=True), keys)
    cov = domain_variance(design, dom, diagonal=False)
    labels = dom.labels
    waves = sorted({v for v in labels[wave] if not pd.isna(v)})
    if len(waves) < 2:
        raise ValueError(f"wave column {wave!r} has {len(waves)} wave(s) with respondents; need at least two")
    rows = list(labels.itertuples(index=False, name=None))  # (*group values, wave) per domain
    position = {row: i for i, row in enumerate(rows)}
    group_values = list(dict.fromkeys(row[:-1] for row in rows))
    ns = dom.counts["n"]
    records = []
    for g in group_values:
        for earlier, later in zip(waves[:-1], waves[1:], strict=True):
            i, j = position.get((*g, later)), position.get((*g, earlier))
            n1, n2 = (int(ns[i]) if i is not None else 0), (int(ns[j]) if j is not None else 0)
            records.append((g, later, earlier, i, j, n1, n2))
    i = np.array([r[3] if r[3] is not None else -1 for r in records])
    j = np.array([r[4] if r[4] is not None else -1 for r in records])
    n1 = np.array([r[5] for r in records])
    n2 = np.array([r[6] for r in records])
    tested = (n1 > 0) & (n2 > 0)
    est = np.append(dom.estimate, np.nan)  # index -1: a wave with no respondents in the group
    padded = np.pad(cov, ((0, 1), (0, 1)), constant_values=np.nan)
    with np.errstate(invalid="ignore"):
        e1, e2 = np.where(n1 > 0, est[i], np.nan), np.where(n2 > 0, est[j], np.nan)
        diff = np.where(tested, e1 - e2, np.nan)
        se = np.where(tested, np.sqrt(np.maximum(padded[i, i] + padded[j, j] - 2 * padded[i, j], 0.0)), np.nan)
        df = np.full(len(records), float(design.degf))
        stat = diff / se
        crit = critical_value(conf_level, df, alternative)
        p = p_value(stat, alternative, df)
        low = np.full(diff.shape, -np.inf) if alternative == "less" else diff - crit * se
        high = np.full(diff.shape, np.inf) if alternative == "greater" else diff + crit * se
    out = pd.DataFrame({name: [r[0][g] for r in records] for g, name in enumerate(groups)})
    out = out.assign(group1=[r[1] for r in records], group2=[r[2] for r in records], estimate1=e1, estimate2=e2,
                     diff=diff, se=se, ci_low=low, ci_high=high, statistic=stat, df=df, p_value=p,
                     p_adjusted=np.nan, n1=n1, n2=n2, measure=measure,
                     note=[_note(r[1], r[2], r[5], r[6]) for r in records])
    ok = np.isfinite(p)
    if ok.any():
        out.loc[ok, "p_adjusted"] = _adjusted(p[ok], adjust) if adjust != "none" else p[ok]
    return out


def _note(later, earlier, n1, n2) -> str:
    """Why a change is not tested (a wave without answers) or rests on one respondent."""
    empty = [repr(w) for w, n in ((later, n1), (earlier, n2)) if n == 0]
    if empty:
        return f"not tested: wave {' and '.join(empty)} has no answers in this group"
    single = [repr(w) for w, n in ((later, n1), (earlier, n2)) if n == 1]
    if single:
        return f"wave {' and '.join(single)} has one respondent: its own sampling error is not in the standard error"
    return ""
