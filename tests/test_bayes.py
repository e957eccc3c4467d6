"""prob_greater against a closed form, R's integrate() and simulation."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import betaln

import cxstats

from .reference import r_values as R


def miller_closed_form(a1, b1, a2, b2):
    """P(theta2 > theta1) for whole-number a2 (Evan Miller, 2015), summed in log space."""
    i = np.arange(int(a2))
    terms = betaln(a1 + i, b1 + b2) - np.log(b2 + i) - betaln(1 + i, b2) - betaln(a1, b1)
    return float(np.exp(terms).sum())


@pytest.mark.parametrize("x1, n1, x2, n2", [
    (10, 20, 8, 20), (200, 250, 112, 250), (0, 5, 0, 5), (5, 2003, 3, 2003), (60, 100, 500, 1000), (1, 1, 0, 3),
])
def test_uniform_prior_matches_closed_form(x1, n1, x2, n2):
    """With a uniform prior the exact method equals Miller's closed form to 1e-9."""
    expected = 1 - miller_closed_form(1 + x1, 1 + n1 - x1, 1 + x2, 1 + n2 - x2)
    got = cxstats.prob_greater(x1, n1, x2, n2)["prob_greater"][0]
    assert_allclose(got, expected, atol=1e-9)


def test_jeffreys_prior_matches_r_integrate():
    """With a Jeffreys prior the exact method equals R's integrate() to 1e-8."""
    got = cxstats.prob_greater(R.BAYES_X1, R.BAYES_N1, R.BAYES_X2, R.BAYES_N2, prior=(0.5, 0.5))
    assert_allclose(got["prob_greater"], R.BAYES_JEFFREYS, atol=1e-8)


def test_simulation_within_its_stated_error():
    """The seeded simulation lands within 4 Monte Carlo errors of the exact value, and repeats exactly."""
    exact = cxstats.prob_greater([10, 60], [20, 100], [8, 500], [20, 1000])
    sim = cxstats.prob_greater([10, 60], [20, 100], [8, 500], [20, 1000], method="simulation", seed=3)
    assert np.all(np.abs(sim.prob_greater - exact.prob_greater) <= 4 * sim.mc_error)
    again = cxstats.prob_greater([10, 60], [20, 100], [8, 500], [20, 1000], method="simulation", seed=3)
    assert_allclose(sim.prob_greater, again.prob_greater, rtol=0)


def test_symmetry():
    """P(1 > 2) + P(2 > 1) = 1 for continuous posteriors."""
    ab = cxstats.prob_greater(30, 90, 45, 110)["prob_greater"][0]
    ba = cxstats.prob_greater(45, 110, 30, 90)["prob_greater"][0]
    assert_allclose(ab + ba, 1, atol=1e-10)


def test_bad_prior():
    """A non-positive prior is rejected with its values."""
    with pytest.raises(ValueError, match="prior must be two positive numbers"):
        cxstats.prob_greater(1, 10, 2, 10, prior=(0, 1))
