"""Small result tables made fast: the same DataFrame as ``pd.DataFrame({name: array, ...})``, for less time.

Making a DataFrame from a dict infers the type of its column labels each
time (text labels become an Arrow string Index in pandas 3), and the first
look-up of a column builds that Index's hash table; for a table of a few rows
these cost more than the numbers in it. Here the column labels of each shape
of table are made once; every table gets its own view of them (so renaming
one table's columns touches no other), which shares the look-up table.
"""

from __future__ import annotations

import functools

import pandas as pd


@functools.lru_cache(maxsize=256)
def _labels(names: tuple) -> pd.Index:
    index = pd.Index(list(names))
    index.get_loc(names[0])  # the look-up table, built once for every table with these columns
    return index


def frame(names: tuple, arrays) -> pd.DataFrame:
    """A DataFrame of ``arrays`` (numpy arrays of equal length, used without a copy) under the labels ``names``.

    The same table as ``pd.DataFrame(dict(zip(names, arrays)), copy=False)``.
    """
    table = pd.DataFrame(dict(enumerate(arrays)), copy=False)
    table.columns = _labels(tuple(names)).view()
    return table
