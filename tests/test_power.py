"""power_proportions and breakeven_n against R's pwr and closed forms."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats

from .reference import r_values as R

ALTS = [("two-sided", "TWO"), ("greater", "GREATER"), ("less", "LESS")]


@pytest.mark.parametrize("alt, tag", ALTS)
def test_power_equal_bases_matches_pwr_2p_test(alt, tag):
    """Power at n = 250 per group equals pwr.2p.test for each alternative."""
    res = cxstats.power_proportions(R.PWR_P1, R.PWR_P2, nobs1=250, alternative=alt)
    assert_allclose(res.power, getattr(R, f"PWR_POWER_250_{tag}"), rtol=1e-6, atol=1e-300)


@pytest.mark.parametrize("alt, tag", ALTS)
def test_power_unequal_bases_matches_pwr_2p2n_test(alt, tag):
    """Power with n1 = 300, n2 = 150 (ratio 0.5) equals pwr.2p2n.test."""
    res = cxstats.power_proportions(R.PWR_P1, R.PWR_P2, nobs1=300, ratio=0.5, alternative=alt)
    assert_allclose(res.power, getattr(R, f"PWR2N_POWER_{tag}"), rtol=1e-6, atol=1e-300)


@pytest.mark.parametrize("alt, tag", ALTS)
def test_sample_size_matches_pwr(alt, tag):
    """n per group for 80% power equals the precise root of pwr's power (1e-6) and pwr's own n (1e-5)."""
    p1, p2 = np.array(R.PWR_P1), np.array(R.PWR_P2)
    if alt == "greater":
        p1, p2 = np.maximum(p1, p2), np.minimum(p1, p2)
    elif alt == "less":
        p1, p2 = np.minimum(p1, p2), np.maximum(p1, p2)
    res = cxstats.power_proportions(p1, p2, power=0.8, alternative=alt)
    assert_allclose(res.nobs1, getattr(R, f"PWR_N80_{tag}"), rtol=1e-6)
    assert_allclose(res.nobs1, getattr(R, f"PWR_N80_PWR_{tag}"), rtol=1e-5)


def test_sample_size_with_ratio_matches_pwr_2p2n():
    """n1 for 90% power with n2 = 2 n1 equals the root of pwr.2p2n.test's power."""
    res = cxstats.power_proportions(R.PWR_P1, R.PWR_P2, power=0.9, ratio=2)
    assert_allclose(res.nobs1, R.PWR2N_N90_RATIO2, rtol=1e-6)
    assert_allclose(res.nobs2, 2 * np.array(R.PWR2N_N90_RATIO2), rtol=1e-6)


def test_power_round_trip():
    """Solving for n and then computing the power at that n gives the target back."""
    n = cxstats.power_proportions(0.45, 0.50, power=0.9)["nobs1"]
    assert_allclose(cxstats.power_proportions(0.45, 0.50, nobs1=n)["power"], 0.9, rtol=1e-9)


def test_power_errors():
    """Both or neither of nobs1/power, a zero gap, a percentage instead of a share are named."""
    with pytest.raises(ValueError, match="exactly one of nobs1"):
        cxstats.power_proportions(0.5, 0.6)
    with pytest.raises(ValueError, match="p1 equals p2 at element 0"):
        cxstats.power_proportions(0.5, 0.5, power=0.8)
    with pytest.raises(ValueError, match=r"p1 must be a proportion in \[0, 1\] \(not a percentage\); element 0 is 80"):
        cxstats.power_proportions(80, 45, nobs1=250)
    with pytest.raises(ValueError, match="point the other way"):
        cxstats.power_proportions(0.4, 0.5, power=0.8, alternative="greater")


def _z_pooled(p1, p2, n1, n2):
    pbar = (n1 * p1 + n2 * p2) / (n1 + n2)
    return abs(p1 - p2) / np.sqrt(pbar * (1 - pbar) * (1 / n1 + 1 / n2))


@pytest.mark.parametrize("p1, p2", [(0.80, 0.08), (0.52, 0.48), (0.83, 0.45), (0.19, 0.21), (0.61, 0.46)])
def test_breakeven_is_the_smallest_significant_equal_base(p1, p2):
    """At the break-even n the pooled z test is significant, and at n - 1 it is not (brute force)."""
    n = int(cxstats.breakeven_n(p1, p2)["breakeven_n"][0])
    crit = 1.959963984540054
    assert _z_pooled(p1, p2, n, n) >= crit
    assert n == 1 or _z_pooled(p1, p2, n - 1, n - 1) < crit


@pytest.mark.parametrize("p1, p2, n1", [(0.80, 0.08, 362), (0.52, 0.45, 2003), (0.30, 0.25, 250)])
def test_breakeven_with_one_known_base(p1, p2, n1):
    """With nobs1 known, the answer is the smallest n2 that makes the gap significant (checked by enumeration)."""
    got = cxstats.breakeven_n(p1, p2, nobs1=n1)["breakeven_n"][0]
    n2 = np.arange(1, 200_000)
    significant = _z_pooled(p1, p2, n1, n2) >= 1.959963984540054
    if significant.any():
        assert got == n2[significant][0]
    else:
        assert pd.isna(got)


def test_breakeven_unreachable_is_missing():
    """If no second base can make the gap significant, the answer is missing, not a made-up number."""
    out = cxstats.breakeven_n(0.30, 0.25, nobs1=50)
    assert out["breakeven_n"].isna()[0]


def test_breakeven_for_power_uses_cohen_h():
    """With power, the base is power_proportions' n rounded up."""
    got = cxstats.breakeven_n(0.50, 0.55, power=0.8)["breakeven_n"][0]
    assert got == int(np.ceil(R.PWR_N80_TWO[0]))
