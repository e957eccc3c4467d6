"""chi2_independence against R's chisq.test(correct = FALSE)."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

import cxstats

from .reference import r_values as R

TABLES = {
    "t1": ([[200, 50], [112, 138]], R.CHISQ_T1),
    "t2": ([[12, 30, 45], [20, 18, 25], [8, 14, 40]], R.CHISQ_T2),
    "t3": ([[3, 7, 2, 9], [1, 4, 6, 5]], R.CHISQ_T3),
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_matches_chisq_test(name):
    """Statistic, dof, p-value and expected counts equal chisq.test(correct = FALSE)."""
    table, ref = TABLES[name]
    res = cxstats.chi2_independence(table)
    assert_allclose(res.statistic, ref["statistic"], rtol=1e-9)
    assert res.df == ref["dof"]
    assert_allclose(res.p_value, ref["p_value"], rtol=1e-9)
    assert_allclose(res.expected.to_numpy().ravel(), ref["expected"], rtol=1e-12)


def test_cramers_v_closed_form_and_2x2_equals_z_squared():
    """Cramer's V is sqrt(X2 / (n (k - 1))); on a 2x2 table X2 equals the pooled z squared."""
    res = cxstats.chi2_independence([[200, 50], [112, 138]])
    assert_allclose(res.cramers_v, np.sqrt(res.statistic / 500))
    z = cxstats.compare_proportions(200, 250, 112, 250)["statistic"][0]
    assert_allclose(res.statistic, z**2, rtol=1e-12)


def test_labels_and_to_frame():
    """A labelled DataFrame keeps its labels in expected; to_frame is one tidy row."""
    table = pd.DataFrame([[10, 20], [30, 40]], index=["managers", "consumers"], columns=["yes", "no"])
    res = cxstats.chi2_independence(table)
    assert list(res.expected.index) == ["managers", "consumers"]
    assert list(res.to_frame().columns) == ["statistic", "df", "p_value", "cramers_v", "n", "min_expected"]


@pytest.mark.parametrize("table, message", [
    ([[1, 2, 3]], "at least 2 rows and 2 columns"),
    ([[1, -2], [3, 4]], r"must not be negative; cell \(0, 1\)"),
    ([[1, np.nan], [3, 4]], r"must be finite; cell \(0, 1\)"),
    ([[0, 0], [3, 4]], "row 0 is all zero"),
    ([[0, 2], [0, 4]], "column 0 is all zero"),
])
def test_bad_tables(table, message):
    """Malformed tables raise ValueError naming the cell, row or column."""
    with pytest.raises(ValueError, match=message):
        cxstats.chi2_independence(table)
