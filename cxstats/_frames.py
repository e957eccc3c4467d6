"""Small result tables made fast: the same DataFrames as ``pd.DataFrame({name: array, ...})``, for less time.

Making a DataFrame from a dict infers the type of its column labels each
time (text labels become an Arrow string Index in pandas 3), and the first
look-up of a column builds that Index's hash table; for a table of a few rows
these cost more than the numbers in it. Here the column labels of each shape
of table are made once; every table gets its own view of them (so renaming
one table's columns touches no other), which shares the look-up table. The
columns of text of several tables are given pandas' text type in one
conversion, as each conversion costs about as much as a small table.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

_PANDAS_3 = int(pd.__version__.split(".")[0]) >= 3


def _text_typed() -> bool:
    """Whether pandas gives text its own type (pandas 3; pandas 2 with its future.infer_string option)."""
    if _PANDAS_3:
        return True
    try:
        return bool(pd.get_option("future.infer_string"))
    except KeyError:  # pandas 2.0, without the option (OptionError is a KeyError)
        return False


@functools.lru_cache(maxsize=256)
def _labels(names: tuple, text_typed: bool) -> pd.Index:
    """The column labels ``names`` as pandas types them (``text_typed``: how it types text, part of the key)."""
    index = pd.Index(list(names))
    index.get_loc(names[0])  # the look-up table, built once for every table with these columns
    return index


def _text_together(arrays: list) -> list:
    """``arrays`` with its columns of text (object arrays of str only) given pandas' type for them in one go.

    pandas types a column of str alone as it types all of them joined (text,
    or objects where text is not inferred); a column holding anything else
    (numbers, NaN) is left for pandas to type by itself.
    """
    text = [k for k, values in enumerate(arrays) if isinstance(values, np.ndarray) and values.dtype == object
            and values.size and all(type(v) is str for v in values)]
    if len(text) < 2:
        return arrays
    joined = pd.Series(np.concatenate([arrays[k] for k in text]), copy=False).array
    arrays = list(arrays)
    start = 0
    for k in text:  # each column a slice of the typed text
        size = arrays[k].size
        arrays[k] = joined[start:start + size]
        start += size
    return arrays


def frames(*tables) -> list:
    """DataFrames of ``tables``, each (names, arrays): numpy arrays of equal length, used without a copy, under
    distinct labels. Each is the table ``pd.DataFrame(dict(zip(names, arrays)), copy=False)``."""
    arrays = _text_together([values for _, columns in tables for values in columns])
    text_typed = _text_typed()
    out, start = [], 0
    for names, columns in tables:
        table = pd.DataFrame(dict(enumerate(arrays[start:start + len(columns)])), copy=False)
        table.columns = _labels(tuple(names), text_typed).view()
        out.append(table)
        start += len(columns)
    return out


def frame(names: tuple, arrays) -> pd.DataFrame:
    """One table of :func:`frames`."""
    return frames((names, arrays))[0]
