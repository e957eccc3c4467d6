"""The parameters of a report notebook, and the values given for them with ``cxstats report -p NAME=VALUE``.

A notebook's parameters are the names its ``parameters`` cell assigns; each default sets what a value given for
it must be (a number, a whole number, a text, a list...). A value is injected only into the notebooks that have a
parameter of its name; a name no notebook being built has is an error before anything runs, and so is a value that
cannot be right for it (a level outside (0, 1), an unknown dataset, a file that is not there).
"""

from __future__ import annotations

import ast
import io
import math
import numbers
import tokenize
from pathlib import Path

UNKNOWN = object()  # a default that is not a plain literal (e.g. computed): any value is accepted
LEVELS = ("conf_level", "alpha", "power")  # parameters that are probabilities, strictly between 0 and 1
DATASET_NAMES = ("dataset", "survey")  # parameters naming one bundled dataset
DATASET_LISTS = ("surveys",)  # parameters naming several


class ParameterText(str):
    """A value as typed after ``-p NAME=``: read as YAML, then as its notebook's default says (see :func:`coerce`)."""


def is_path_name(name: str) -> bool:
    """Parameters named ``path`` or ``..._path`` hold a file path."""
    return name == "path" or name.endswith("_path")


def notebook_parameters(path) -> dict:
    """The parameters of a notebook: ``{name: (default, comment)}`` in the order its parameters cell assigns them.

    ``default`` is the literal value assigned (:data:`UNKNOWN` when it is not a plain literal); ``comment`` the
    text of a comment on the same line. A notebook without a cell tagged ``parameters`` has none.

    Raises
    ------
    ValueError
        When the parameters cell is not valid Python, naming the notebook and the line.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "code" and "parameters" in c.metadata.get("tags", [])]
    if not cells:
        return {}
    source = cells[0].source
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ValueError(f"{Path(path).name}: its parameters cell is not valid Python (line {err.lineno}: "
                         f"{err.msg})") from None
    comments = _line_comments(source)
    found = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
            node, ast.AnnAssign) and node.value is not None else []
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    default = ast.literal_eval(node.value)
                except ValueError:
                    default = UNKNOWN
                found[target.id] = (default, comments.get(node.lineno, ""))
    return found


def _line_comments(source: str) -> dict:
    comments = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                comments[token.start[0]] = token.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return comments


def _yaml(name, text):
    import yaml

    try:
        return yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as err:  # bad syntax, a !!python tag, an impossible date
        problem = " ".join(str(getattr(err, "problem", None) or err).split())
        raise ValueError(f"-p/--parameter {name}: cannot read {str(text)!r} ({problem})") from None


def coerce(name, value, default):
    """A value given for parameter ``name`` as its default says: typed text is read as YAML; for a list default,
    a text is split at commas (``q1,q2`` -> ``["q1", "q2"]``); for a text default, a number keeps the text typed
    (``-p dataset=2014`` is the text "2014"). A tuple becomes a list (papermill would inject a tuple as its text);
    other values pass through."""
    if not isinstance(value, ParameterText):
        return list(value) if isinstance(value, tuple) else value  # papermill writes a tuple as its text
    if not value.strip():  # an unset shell variable (-p path=$FILE) must not fall back to the default
        raise ValueError(f"-p/--parameter {name}= has no value; give one, or null for none")
    parsed = _yaml(name, value)
    if isinstance(default, list | tuple):
        if isinstance(parsed, str):
            parsed = [item.strip() for item in parsed.split(",")]
        elif isinstance(parsed, numbers.Number) and not isinstance(parsed, bool):
            parsed = [value.strip()]
    elif isinstance(default, str) and isinstance(parsed, numbers.Number):
        parsed = value.strip()
    return parsed


def _kind(default) -> tuple[str, object]:
    """What a value must be, in words, and a test of it, for a parameter with this default."""
    if isinstance(default, bool):
        return "true or false", lambda v: isinstance(v, bool)
    if isinstance(default, numbers.Integral):
        return "a whole number", lambda v: isinstance(v, numbers.Integral) and not isinstance(v, bool)
    if isinstance(default, numbers.Real):
        return "a number", lambda v: (isinstance(v, numbers.Real) and not isinstance(v, bool)
                                      and math.isfinite(v))
    if isinstance(default, str):
        return "a text (or null)", lambda v: v is None or isinstance(v, str)
    if isinstance(default, list | tuple):
        return ("a list, e.g. a,b,c or [a, b, c]",
                lambda v: isinstance(v, list | tuple) and all(x is not None and x != "" for x in v))
    if isinstance(default, dict):
        return "a mapping, e.g. {a: 1, b: 2}", lambda v: isinstance(v, dict)
    return "any value", lambda v: True


def check_value(notebook: str, name, value, default, dataset_names=None):
    """Raise ValueError, naming the notebook, the parameter and what would be valid, when ``value`` cannot be right;
    return the value (a relative file path resolved against the current folder)."""
    words, ok = _kind(default)
    if default is not UNKNOWN and default is not None and not ok(value):
        raise ValueError(f"{notebook}: parameter {name} must be {words} (its default is {default!r}); got {value!r}")
    if name in LEVELS and value is not None:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
            raise ValueError(f"{notebook}: parameter {name} must be a number between 0 and 1 (exclusive), "
                             f"e.g. 0.95 for conf_level or 0.05 for alpha; got {value!r}")
    names = [value] if name in DATASET_NAMES else list(value) if name in DATASET_LISTS and isinstance(
        value, list | tuple) else []
    for dataset in names:
        if dataset_names is not None and dataset not in dataset_names:
            raise ValueError(f"{notebook}: parameter {name}: unknown dataset {dataset!r}; bundled datasets "
                             f"(cxstats datasets): {', '.join(sorted(dataset_names))}")
    if is_path_name(name) and value is not None:
        if not isinstance(value, str | Path) or not str(value).strip():
            raise ValueError(f"{notebook}: parameter {name} must be the path of a file; got {value!r}")
        path = Path(value).expanduser().resolve()
        if not path.exists():
            raise ValueError(f"{notebook}: parameter {name}: nothing at {path}; give the path of a survey file (or "
                             "of a folder of Parquet files), relative to the folder you run cxstats in, or absolute")
        value = str(path)
    return value


def _readable_parameters(path) -> dict:
    try:
        return notebook_parameters(path)
    except ValueError:  # a parameters cell that is not Python: raised, naming the notebook
        raise
    except Exception:  # not a notebook at all: it has no parameters, and fails on its own when run
        return {}


def describe_parameters(declared: dict) -> str:
    """``name (default)`` for each parameter of one notebook, for an error message."""
    return ", ".join(f"{name}={'...' if d is UNKNOWN else repr(d)}" for name, (d, _) in declared.items()) or "none"


def resolve(notebooks, parameters) -> dict:
    """The parameters to inject into each notebook: ``{notebook path: {name: value}}``.

    Each name given must be a parameter of at least one of ``notebooks``; it is injected only into those that have
    it, read and checked against each one's default (:func:`coerce`, :func:`check_value`).

    Raises
    ------
    ValueError
        Naming the parameter, the notebook(s) and their valid parameters, or what a valid value would be.
    """
    parameters = dict(parameters or {})
    if not parameters:
        return {Path(nb): {} for nb in notebooks}
    declared = {Path(nb): _readable_parameters(nb) for nb in notebooks}
    for name in parameters:
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"-p {name!r}: a parameter name is a Python name such as conf_level")
    unknown = [name for name in parameters if not any(name in d for d in declared.values())]
    if unknown:
        which = "; ".join(f"{nb.stem}: {describe_parameters(d)}" for nb, d in declared.items())
        raise ValueError(f"-p {', '.join(unknown)}: not a parameter of "
                         f"{'the notebook' if len(declared) == 1 else 'any notebook'} being built. "
                         f"Valid parameters: {which}")
    dataset_names = None
    if any(name in DATASET_NAMES + DATASET_LISTS for name in parameters):
        from .datasets import list_datasets

        dataset_names = set(list_datasets().name)
    injected = {}
    for nb, own in declared.items():
        injected[nb] = {}
        for name, value in parameters.items():
            if name in own:
                default = own[name][0]
                value = coerce(name, value, default)
                injected[nb][name] = check_value(nb.stem, name, value, default, dataset_names)
    return injected


def used(notebook, given: dict) -> dict:
    """Every parameter of ``notebook`` with the value it ran with: ``{name: (value, given)}``, ``given`` True for
    the values injected, False for the notebook's defaults."""
    return {name: (given[name], True) if name in given else (default, False)
            for name, (default, _) in notebook_parameters(notebook).items()}
