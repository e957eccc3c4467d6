"""Which files this Python session has read, with their SHA-256: the provenance a report page states.

Every function of cxstats that reads a file calls :func:`note_read`. During a report build the runner sets
``CXSTATS_PROVENANCE_FILE`` in the notebook's kernel: each file read is then hashed at once and appended to that
file as one JSON line, so a page can say what it read even when the notebook failed half-way. Outside a build the
hash is worked out only when :func:`files_read` is asked for it.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

ENV = "CXSTATS_PROVENANCE_FILE"
_read: dict[str, tuple[int, int]] = {}  # resolved path -> (size, mtime_ns) when read
_digests: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> SHA-256


def sha256_file(path, block=1 << 20) -> str:
    """SHA-256 of a file's bytes, as 64 hexadecimal digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def _digest(path: str, stamp: tuple[int, int]) -> str:
    key = (path, *stamp)
    if key not in _digests:
        _digests[key] = sha256_file(path)
    return _digests[key]


def note_read(path) -> None:
    """Record that the file at ``path`` was read (a path that is not a file is ignored)."""
    try:
        resolved = str(Path(path).resolve())
        info = os.stat(resolved)
    except (OSError, ValueError):
        return
    stamp = (info.st_size, info.st_mtime_ns)
    if _read.get(resolved) == stamp:
        return
    _read[resolved] = stamp
    target = os.environ.get(ENV)
    if target:
        line = json.dumps({"path": resolved, "sha256": _digest(resolved, stamp)})
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


def files_read() -> list[dict]:
    """The files read so far in this session, in the order first read: ``[{"path": ..., "sha256": ...}]``."""
    return [{"path": path, "sha256": _digest(path, stamp)} for path, stamp in _read.items()]


def read_log(path) -> list[dict]:
    """The files recorded in a provenance log written during a build, each once, in the order first read."""
    found = {}
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        try:
            entry = json.loads(line)
        except ValueError:  # a line cut short when the kernel was killed
            continue
        found.setdefault((entry["path"], entry["sha256"]), entry)
    return list(found.values())
