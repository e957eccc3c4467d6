"""simulate_respondents: calibrated to the published shares, planted segments as documented, reproducible."""

import numpy as np
import pytest

import cxstats
from cxstats import simulate


@pytest.mark.parametrize("survey", ["gladly_2021", "accenture_2016", "calabrio_2022", "amex_2014"])
def test_shares_within_1_5_points_at_20000(survey):
    """Every simulated share is within 1.5 percentage points of its published value at n = 20,000."""
    df = cxstats.simulate_respondents(survey, n=20_000, seed=7)
    figures = cxstats.load(survey)
    figures = figures[(figures.kind == "share") & (figures.group == df.attrs["group"])]
    for figure, percent in zip(figures.figure, figures.percent, strict=True):
        assert abs(100 * df[figure].mean() - percent) < 1.5, figure


def test_mixture_reproduces_shares_exactly():
    """The planted probabilities mix to the published shares exactly (the offsets cancel)."""
    for pattern in simulate.SEGMENT_PATTERNS:
        assert abs(np.dot(simulate.SEGMENT_SHARES, pattern)) < 1e-12
    df = cxstats.simulate_respondents("accenture_2016", n=10, seed=0)
    theta = df.attrs["item_probabilities"]
    published = cxstats.load("accenture_2016").set_index("figure").percent / 100
    mixed = theta.to_numpy() @ np.array(simulate.SEGMENT_SHARES)
    np.testing.assert_allclose(mixed, published.loc[theta.index], atol=1e-12)


def test_planted_segments_differ_as_documented():
    """Within each planted segment the answer shares match the planted probabilities, and segments differ."""
    df = cxstats.simulate_respondents("gladly_2021", n=30_000, seed=2)
    theta = df.attrs["item_probabilities"]
    observed = df.groupby("segment_true")[list(theta.index)].mean().T
    np.testing.assert_allclose(observed.to_numpy(), theta.to_numpy(), atol=0.03)
    spread = theta.max(axis=1) - theta.min(axis=1)
    assert spread.min() > 0.15  # every item separates some segment from the others
    assert ((theta[1] - theta[2]).abs() > 0.3).sum() >= 3 and ((theta[2] - theta[3]).abs() > 0.3).sum() >= 3
    means = df.groupby("segment_true").recommend_0_10.mean()
    assert means[1] > means[2] > means[3]
    shares = df.segment_true.value_counts(normalize=True).sort_index()
    np.testing.assert_allclose(shares, simulate.SEGMENT_SHARES, atol=0.01)


def test_complementary_answers_stay_complementary():
    """Gladly's 19%/81% pair is one question: each respondent has exactly one of the two."""
    df = cxstats.simulate_respondents("gladly_2021", n=2000, seed=4)
    assert (df.service_exceeds_expectations + df.service_below_expectations == 1).all()


def test_same_seed_same_frame_and_marked_synthetic():
    """The same seed gives an identical frame; another seed does not; the frame says it is synthetic."""
    a = cxstats.simulate_respondents("calabrio_2022", n=500, seed=9)
    b = cxstats.simulate_respondents("calabrio_2022", n=500, seed=9)
    c = cxstats.simulate_respondents("calabrio_2022", n=500, seed=10)
    assert a.equals(b) and not a.equals(c)
    assert a.synthetic.all() and a.attrs["synthetic"] is True and "Synthetic" in a.attrs["note"]


def test_bad_requests_are_named():
    """Unknown surveys and groups, surveys without shares and bad sizes raise named errors."""
    with pytest.raises(ValueError, match="unknown dataset"):
        cxstats.simulate_respondents("nope")
    with pytest.raises(ValueError, match="group 'ceos' not in 'calabrio_2022'"):
        cxstats.simulate_respondents("calabrio_2022", group="ceos")
    with pytest.raises(ValueError, match="has no share figures"):
        cxstats.simulate_respondents("weibo_2014")
    with pytest.raises(ValueError, match="n must be a whole number"):
        cxstats.simulate_respondents("gladly_2021", n=0)


def test_price_study_is_calibrated_to_45_percent():
    """At n = 20,000 the share who would buy at the lowest price is within 1.5 points of Accenture's 45%,
    every Van Westendorp answer is in order, and buying follows the planted WTP."""
    df = cxstats.simulate_price_study(n=20_000, seed=5)
    assert abs(100 * df.buy_2.mean() - 45) < 1.5
    prices = df[["too_cheap", "cheap", "expensive", "too_expensive"]].to_numpy()
    assert (np.diff(prices, axis=1) > 0).all()
    assert ((df.wtp >= 8) == df.buy_8.astype(bool)).all()
    assert df.synthetic.all() and df.attrs["synthetic"] is True
    assert df.equals(cxstats.simulate_price_study(n=20_000, seed=5))
