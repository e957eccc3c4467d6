"""paired_gap_bounds against statsmodels' McNemar test at the extreme cross-tabs."""

import pytest
from numpy.testing import assert_allclose
from statsmodels.stats.contingency_tables import mcnemar

import cxstats


@pytest.mark.parametrize("p1, p2, n", [(0.53, 0.43, 1000), (0.60, 0.46, 1000), (0.30, 0.25, 200), (0.9, 0.2, 50)])
def test_bounds_equal_mcnemar_at_extreme_tables(p1, p2, n):
    """The p-value range equals McNemar (no correction) on the least and most discordant tables."""
    yes1, yes2 = round(p1 * n), round(p2 * n)
    gap = yes1 - yes2
    least = [[yes2, gap], [0, n - yes1]]  # everyone who said yes to item 2 also said yes to item 1
    c = min(yes2, n - yes1)  # most people answering item 2 yes and item 1 no
    most = [[yes1 - gap - c, gap + c], [c, n - yes1 - c]]
    out = cxstats.paired_gap_bounds(p1, p2, n)
    assert_allclose(out.p_value_min[0], mcnemar(least, exact=False, correction=False).pvalue, rtol=1e-9)
    assert_allclose(out.p_value_max[0], mcnemar(most, exact=False, correction=False).pvalue, rtol=1e-9)
    assert_allclose([out.discordant_min[0], out.discordant_max[0]],
                    [least[0][1] + least[1][0], most[0][1] + most[1][0]], rtol=1e-12)


def test_verdict_depends_on_base():
    """A 5-point gap among 200 people is significant for some overlaps only; among 20,000, for all."""
    assert cxstats.paired_gap_bounds(0.30, 0.25, 200).significant[0] == "some"
    assert cxstats.paired_gap_bounds(0.30, 0.25, 20_000).significant[0] == "all"


def test_percentages_are_rejected():
    """Shares must be given as proportions, not percentages."""
    with pytest.raises(ValueError, match=r"p1 must be a share in \[0, 1\] \(not a percentage\)"):
        cxstats.paired_gap_bounds(53, 43, 1000)
