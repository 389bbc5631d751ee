"""Durable, atomic writes: every file appears under its final name only when whole and on disk.

One pattern for every writer (run files, combined tables, JSON, the report, validation
tables): write to a hidden temporary name next to the target (``.<name>.<pid>.<hex>.tmp``, a
name :mod:`sim.run.ownership` knows as the tool's), flush it to disk, rename it into place, then
flush the folder so the rename survives a power cut. A failure removes the temporary file.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TMP_SUFFIX = ".tmp"


def temp_name(path: Path) -> Path:
    """A unique temporary name next to ``path`` (hidden, ends in ``.tmp``)."""
    path = Path(path)
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}{TMP_SUFFIX}")


def fsync_file(path: Path) -> None:
    """Flush a written file to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    """Make renames in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a temporary path to write; on success it is flushed and renamed to ``path``."""
    path = Path(path)
    tmp = temp_name(path)
    try:
        yield tmp
        fsync_file(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically and durably."""
    with replacing(path) as tmp:
        tmp.write_bytes(data)


def write_json(path: Path, data: dict) -> None:
    """Write JSON (indented, UTF-8, no NaN) atomically and durably."""
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    write_bytes(Path(path), text.encode("utf-8"))


def write_file(path: Path, content: object) -> None:
    """Write a DataFrame (Parquet), dict (JSON), str or bytes atomically and durably.

    Temporary name, fsync, rename (see :func:`write_bytes`).
    """
    if isinstance(content, dict):
        write_json(path, content)
    elif isinstance(content, str):
        write_bytes(path, content.encode("utf-8"))
    elif isinstance(content, bytes):
        write_bytes(path, content)
    else:
        from sim.run.tables import write_parquet

        with replacing(path) as tmp:
            write_parquet(content, tmp)
