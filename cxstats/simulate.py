"""Synthetic respondents calibrated to a bundled survey's published shares.

The bundled surveys publish only aggregates. For teaching segmentation,
crosstabs and weighting, :func:`simulate_respondents` draws respondent rows
from a documented latent-class model whose answer shares match the published
ones in expectation. The rows are synthetic and say so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .datasets import load

SEGMENT_SHARES = (0.5, 0.3, 0.2)
# Three offset patterns, used in turn across the items: each sets one segment
# apart from the other two. Weighted by the segment shares every pattern sums
# to zero, so the mixture reproduces every published share exactly.
SEGMENT_PATTERNS = ((0.4, -0.4, -0.4), (-0.3, 0.7, -0.3), (-0.2, -0.2, 0.8))
AGE_GROUPS = ("18-34", "35-54", "55+")
AGE_POPULATION = (0.30, 0.35, 0.35)  # target margin used in the examples (an assumption, not a census)
AGE_BY_SEGMENT = ((0.6, 0.3, 0.1), (0.4, 0.4, 0.2), (0.2, 0.4, 0.4))
NPS_MEAN_BY_SEGMENT = (8.8, 6.8, 4.8)
REGIONS = ("North", "South", "East", "West")


def _item_probabilities(shares: np.ndarray) -> np.ndarray:
    """Per-segment answer probabilities (items x segments) whose mixture equals ``shares`` exactly.

    Item j uses pattern j mod 3, in the direction (+ or -) that leaves it most
    room inside [0.02, 0.98], scaled as far as that room allows (at most 1).
    """
    theta = np.empty((shares.size, len(SEGMENT_SHARES)))
    for j, p in enumerate(shares):  # a few dozen items at most
        best = None
        for sign in (1.0, -1.0):
            delta = sign * np.array(SEGMENT_PATTERNS[j % len(SEGMENT_PATTERNS)])
            up, down = delta[delta > 0].max(), -delta[delta < 0].min()
            scale = min(1.0, (0.98 - p) / up, (p - 0.02) / down)
            if best is None or scale > best[0]:
                best = (scale, delta)
        theta[j] = p + best[0] * best[1]
    return theta


def simulate_respondents(survey, n=1000, seed=0, group=None) -> pd.DataFrame:
    """Respondent-level data for a bundled survey, drawn from a planted latent-class model.

    The model: three segments with shares 50%, 30% and 20%
    (``segment_true`` 1, 2, 3). For each published share p of the chosen
    group, segment k answers "yes" with probability p + s * m * offset_k.
    The offsets come from three patterns used in turn across the items
    ((+0.4, -0.4, -0.4), (-0.3, +0.7, -0.3), (-0.2, -0.2, +0.8)), each
    setting one segment apart; the segment shares weight every pattern to
    zero. s (+1 or -1) and m (at most 1) are chosen to keep every
    probability inside [0.02, 0.98] with the most separation. Each simulated
    share therefore equals the published share in expectation. Two answers to one question
    that sum to 100% (Gladly's 19%/81%) are drawn as one answer and its
    complement. Added for teaching, and calibrated to nothing published: an
    age group (younger in segment 1, so an unweighted sample is skewed and
    weighting matters), a region, and a 0-10 likelihood to recommend whose
    mean falls from segment 1 to 3.

    Parameters
    ----------
    survey : str
        A bundled survey id (see :func:`cxstats.list_datasets`).
    n : int, default 1000
        Respondents to draw.
    seed : int, default 0
        The same seed gives the same frame.
    group : str, optional
        Which group's figures to use when the survey has several (default: the
        group with the most share figures).

    Returns
    -------
    pandas.DataFrame
        ``respondent``, ``synthetic`` (always True), ``segment_true``,
        ``age_group``, ``region``, ``recommend_0_10``, and one 0/1 column per
        share figure. ``df.attrs`` holds ``synthetic``, ``survey``, ``group``,
        ``segment_shares`` and ``item_probabilities`` (the planted truth).

    References
    ----------
    Lazarsfeld, P. F. and Henry, N. W. (1968). Latent Structure Analysis.
    Houghton Mifflin (the latent class model).

    Examples
    --------
    >>> df = simulate_respondents("gladly_2021", n=500, seed=1)
    >>> bool(df.synthetic.all()), df.attrs["survey"], len(df)
    (True, 'gladly_2021', 500)
    """
    if not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a whole number of respondents, at least 1; got {n!r}")
    figures = load(survey)
    shares = figures[figures["kind"] == "share"]
    if shares.empty:
        raise ValueError(f"survey {survey!r} has no share figures to simulate")
    groups = shares.groupby("group", sort=False).size()
    group = group or groups.idxmax()  # the group with most share figures, first listed on a tie
    if group not in groups.index:
        raise ValueError(f"group {group!r} not in {survey!r}; choose one of {list(groups.index)}")
    items = shares[shares["group"] == group].reset_index(drop=True)
    complement = {}
    for _, pair in items.dropna(subset=["question"]).groupby("question"):
        if len(pair) == 2 and abs(pair["percent"].sum() - 100) < 1e-9:
            complement[pair["figure"].iloc[1]] = pair["figure"].iloc[0]
    drawn = items[~items["figure"].isin(complement)].reset_index(drop=True)
    theta = _item_probabilities(drawn["percent"].to_numpy() / 100)
    rng = np.random.default_rng(seed)
    segment = rng.choice(3, size=n, p=SEGMENT_SHARES)
    answers = (rng.random((n, len(drawn))) < theta[:, segment].T).astype(np.int8)
    data = {"respondent": np.arange(1, n + 1), "synthetic": True, "segment_true": segment + 1}
    age_p = np.array(AGE_BY_SEGMENT)[segment]
    data["age_group"] = np.array(AGE_GROUPS)[(rng.random(n)[:, None] > np.cumsum(age_p, axis=1)).sum(axis=1)]
    data["region"] = rng.choice(REGIONS, size=n, p=(0.35, 0.30, 0.20, 0.15))
    score = rng.normal(np.array(NPS_MEAN_BY_SEGMENT)[segment], 1.6)
    data["recommend_0_10"] = np.clip(np.round(score), 0, 10).astype(int)
    for k, fig in enumerate(drawn["figure"]):
        data[fig] = answers[:, k]
    for fig, source in complement.items():
        data[fig] = (1 - data[source]).astype(np.int8)
    df = pd.DataFrame(data)
    df["age_group"] = pd.Categorical(df["age_group"], categories=AGE_GROUPS, ordered=True)
    df.attrs.update({
        "synthetic": True, "survey": survey, "group": group, "seed": seed,
        "segment_shares": dict(zip((1, 2, 3), SEGMENT_SHARES, strict=True)),
        "item_probabilities": pd.DataFrame(theta, index=drawn["figure"], columns=[1, 2, 3]),
        "note": "Synthetic respondents from a planted latent-class model; not real survey answers.",
    })
    return df


def simulate_price_study(n=1000, seed=0, share_willing=0.45, median_wtp=8.0, prices=(2, 4, 6, 8, 10, 12, 14)):
    """A synthetic pricing survey for a premium support plan: Van Westendorp and Gabor-Granger answers.

    A share ``share_willing`` of respondents (default 45%, Accenture's "willing
    to pay more for better service") has a positive willingness to pay,
    lognormal with median ``median_wtp`` (log sd 0.45); the rest would pay
    nothing. Everyone answers the four Van Westendorp questions around their
    own sense of a fair price (lognormal, median ``median_wtp``), with
    purchase intent 1-5 at their "cheap" and "expensive" prices (1 = would not
    buy for the unwilling), and the Gabor-Granger question "would you buy at
    $p?" for every price in ``prices`` (yes when their WTP is at least p).

    Returns
    -------
    pandas.DataFrame
        ``respondent``, ``synthetic``, ``willing``, ``wtp``, ``too_cheap``,
        ``cheap``, ``expensive``, ``too_expensive``, ``pi_cheap``,
        ``pi_expensive`` and ``buy_<price>`` columns; ``df.attrs`` marks it
        synthetic.

    Examples
    --------
    >>> df = simulate_price_study(n=2000, seed=1)
    >>> bool(df.synthetic.all()), round(float(df.willing.mean()), 2)
    (True, 0.45)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a whole number of respondents, at least 1; got {n!r}")
    if not isinstance(share_willing, int | float) or not 0 < share_willing < 1:
        raise ValueError(f"share_willing must be strictly between 0 and 1, got {share_willing!r}")
    if not isinstance(median_wtp, int | float) or not 0 < median_wtp < np.inf:
        raise ValueError(f"median_wtp must be a positive price, got {median_wtp!r}")
    grid = np.asarray(prices, dtype=float) if np.iterable(prices) else np.array([np.nan])
    if grid.ndim != 1 or not np.isfinite(grid).all() or (grid <= 0).any() or (np.diff(grid) <= 0).any():
        raise ValueError(f"prices must be positive prices in increasing order, got {prices!r}")
    rng = np.random.default_rng(seed)
    willing = rng.random(n) < share_willing
    wtp = np.where(willing, np.exp(rng.normal(np.log(median_wtp), 0.45, n)), 0.0)
    fair = np.exp(rng.normal(np.log(median_wtp), 0.35, n))
    factors = np.sort(rng.uniform([0.3, 0.6, 1.1, 1.5], [0.5, 0.85, 1.4, 2.2], (n, 4)), axis=1)
    answers = np.round(fair[:, None] * factors, 0).clip(min=1)
    for k in range(1, 4):  # rounding can tie neighbours: keep the four prices strictly in order
        answers[:, k] = np.maximum(answers[:, k], answers[:, k - 1] + 1)
    pi_cheap = np.where(willing, rng.choice([4, 5], n, p=[0.4, 0.6]), 1)
    pi_expensive = np.where(willing, rng.choice([2, 3], n, p=[0.5, 0.5]), 1)
    df = pd.DataFrame({
        "respondent": np.arange(1, n + 1), "synthetic": True, "willing": willing, "wtp": wtp,
        "too_cheap": answers[:, 0], "cheap": answers[:, 1], "expensive": answers[:, 2],
        "too_expensive": answers[:, 3], "pi_cheap": pi_cheap, "pi_expensive": pi_expensive,
    })
    for p in prices:
        df[f"buy_{p}"] = (wtp >= p).astype(int)
    df.attrs.update({"synthetic": True, "share_willing": share_willing, "median_wtp": median_wtp,
                     "note": "Synthetic pricing survey; not real answers."})
    return df
