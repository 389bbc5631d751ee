"""A results folder is the user's data: how a command holds it, writes into it and replaces it.

Which entries are the tool's own is decided in :mod:`sim.run.ownership` (the manifest's ``files``);
a command writes into ``--out`` only when the folder does not exist, is empty, or holds only
such entries, and it checks that before simulating (exit 2 naming the others).

While a command runs it holds an exclusive ``flock`` on the folder itself (no file is made for
it); every other command that writes there, or reads it to add files, refuses with exit 2.
The lock dies with its process, so a folder left by a killed command is taken over by the next
one, which also removes the hidden entries the killed one left half-made (only names the tool
makes, and only those of processes that are gone).

A new result is written into a hidden staging folder inside ``DIR`` and swapped in only when
complete: the manifest is first rewritten to record the old and the new entries together (so
a crash at any point leaves a folder whose every entry is recorded), each new entry replaces
its old one, old recorded entries the new result lacks are removed (unless something not the
tool's own appeared inside them meanwhile: those stay, and are named), and the new manifest
comes last.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import signal
import sys
import uuid
from pathlib import Path

import sim
from sim.errors import InputError
from sim.run.durable import write_json
from sim.run.ownership import (
    GENERATOR,
    LOCK_FILE,
    MANIFEST,
    check_out,
    is_sim_manifest,
    read_manifest,
    recorded,
    stale,
    unrecorded,
)

__all__ = ["MANIFEST", "ResultsFolder", "check_out", "held", "lock", "record", "unrecorded"]


def tool_name(kind: str) -> str:
    """A hidden name of the tool's own (``.staging-<pid>-<hex>``), removed when stale."""
    return f".{kind}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


class ResultsFolder:
    """A results folder held for one command: checked, locked, written by staging and swap.

    Use as a context manager around the whole command (simulation included)::

        with ResultsFolder(out) as folder:
            ...                       # simulate
            tmp = folder.stage()      # write the new result here, manifest.json included
            folder.commit(tmp)

    Args:
        out: the folder (created when the lock is taken).
        option: how the user named it, for messages.
    """

    def __init__(self, out: Path, option: str = "--out"):
        self.out, self.option = Path(out), option
        self._handle = None
        self._created = False
        self.committed = False

    # -- lifecycle ----------------------------------------------------------------------------
    def __enter__(self) -> ResultsFolder:
        check_out(self.out, self.option)
        self._created = not self.out.exists()
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{self.option} {self.out}: cannot write ({exc.strerror})") from None
        self._handle = lock(self.out, self.option)
        try:
            check_out(self.out, self.option)  # again, now that no other command can change it
            self.clean_stale()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        self.clean_stale()
        if self._created and not self.committed:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only when empty
        self._handle.close()

    def clean_stale(self) -> list[str]:
        """Remove hidden entries the tool left half-made (of this process or a dead one)."""
        removed = [entry for entry in sorted(os.listdir(self.out)) if stale(entry)]
        for entry in removed:
            _remove(self.out / entry)
        return removed

    # -- writing ------------------------------------------------------------------------------
    def scratch(self, kind: str = "runs") -> Path:
        """A hidden scratch folder inside the results folder (removed at exit, or when stale)."""
        path = self.out / tool_name(kind)
        path.mkdir()
        return path

    def stage(self) -> Path:
        """An empty hidden staging folder to write the new result into."""
        return self.scratch("staging")

    def write(self, files: dict[str, object]) -> list[str]:
        """Stage every file (:func:`sim.run.durable.write_file`), then commit; returns files."""
        from sim.run.durable import write_file

        tmp = self.stage()
        for name, content in files.items():
            write_file(tmp / name, content)
        return self.commit(tmp)

    def commit(self, staged: Path, keep: tuple[str, ...] = ()) -> list[str]:
        """Swap the staged result in; returns the ``files`` recorded in the new manifest.

        Args:
            staged: the staging folder, holding ``manifest.json`` and the new entries.
            keep: entries already in the folder that belong to the new result too (e.g. a
                batch's ``runs/`` and ``failures.json``, written in place).
        """
        new = sorted(e for e in os.listdir(staged) if e != MANIFEST)
        kept = {k.rstrip("/") for k in keep}
        files = sorted({*(_entry(staged, e) for e in new), *keep, MANIFEST})
        manifest = json.loads((staged / MANIFEST).read_text(encoding="utf-8"))
        manifest.update(generator=f"{GENERATOR} {sim.__version__}", files=files)
        old = recorded(self.out) - {MANIFEST}
        with signals_held():  # the swap is never left half-done by Ctrl-C or SIGTERM
            self._record_interim(files + [_entry(self.out, e) for e in old])
            trash = self.scratch("trash")
            for entry in new:
                if (self.out / entry).exists():
                    os.replace(self.out / entry, trash / entry)
                os.replace(staged / entry, self.out / entry)
            self._retire(sorted(old - set(new) - kept), trash)
            write_json(self.out / MANIFEST, manifest)
        _remove(trash)
        _remove(staged)
        self.committed = True
        register_subresult(self.out)
        return files

    def _retire(self, entries: list[str], trash: Path) -> None:
        """Move the earlier result's entries to ``trash``, but none that now holds user files."""
        foreign = {name.split("/", 1)[0] for name in unrecorded(self.out)}
        for entry in entries:
            if entry in foreign:
                print(
                    f"sim: kept {self.out / entry}: it now holds files no sim result recorded",
                    file=sys.stderr,
                )
            elif (self.out / entry).exists():
                if (self.out / entry / MANIFEST).is_file():
                    print(
                        f"sim: replaced with the earlier result: {self.out / entry}",
                        file=sys.stderr,
                    )
                os.replace(self.out / entry, trash / entry)

    def _record_interim(self, new_files: list[str]) -> None:
        """Record old and new entries together before any of them moves."""
        manifest = read_manifest(self.out)
        if not is_sim_manifest(manifest):
            return
        old_files = [f for f in manifest.get("files") or [] if isinstance(f, str)]
        manifest["files"] = sorted({*old_files, *new_files, MANIFEST})
        manifest["generator"] = f"{GENERATOR} {sim.__version__}"
        manifest["status"] = "being replaced"
        write_json(self.out / MANIFEST, manifest)

    def record(self, names: list[str], status: str | None = None) -> None:
        """Add entries written in place to the manifest (see :func:`record`).

        The folder is also recorded in its parent result's manifest at once, so a sub-result
        written in place (``make run``'s ``effects/`` batch) that stops before it completes
        never leaves the parent looking as if it held files no command wrote.
        """
        record(self.out, names, status)
        register_subresult(self.out)


@contextlib.contextmanager
def signals_held():
    """Hold SIGINT and SIGTERM until the block ends (they are delivered then)."""
    held_signals = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held_signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _entry(folder: Path, name: str) -> str:
    return name + "/" if (folder / name).is_dir() else name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


class Lock:
    """An exclusive ``flock`` on the folder itself (no file is written for it).

    The kernel releases it when its process ends, however it ends, so a folder left by a
    killed command is free for the next one. Where a file system cannot lock a folder (NFS
    emulates ``flock`` with byte-range locks, which need a file open for writing), the lock is
    taken on ``DIR/.sim.lock`` instead, a name the tool keeps as its own.
    """

    def __init__(self, folder: Path, option: str = "--out"):
        self.fd = None
        self.where = f"{option} {folder}"
        try:
            self.fd = self._take(os.open(folder, os.O_RDONLY | os.O_DIRECTORY))
        except BlockingIOError:
            raise InputError(f"{self.where}: another sim command is writing this folder") from None
        except OSError as exc:
            self._fallback(Path(folder), exc)

    def _take(self, fd: int) -> int:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _fallback(self, folder: Path, first: OSError) -> None:
        if first.errno in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
            raise InputError(f"{self.where}: cannot open ({first.strerror})") from None
        try:
            self.fd = self._take(os.open(folder / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644))
        except BlockingIOError:
            raise InputError(f"{self.where}: another sim command is writing this folder") from None
        except OSError as exc:
            raise InputError(f"{self.where}: cannot lock ({exc.strerror})") from None

    def close(self) -> None:
        """Release the lock."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def lock(folder: Path, option: str = "--out") -> Lock:
    """Take the folder's lock; InputError when another live command holds it."""
    return Lock(folder, option)


@contextlib.contextmanager
def held(folder: Path, option: str = "results"):
    """Hold a result's lock while a command reads it and adds files (report, validation).

    Yields whether ``folder`` is a result (a folder that is none is not locked).

    Raises:
        InputError: another command is writing the folder.
    """
    manifest = read_manifest(folder)
    if not is_sim_manifest(manifest):
        yield False
        return
    if manifest.get("status") == "being replaced":
        raise InputError(
            f"{option} {folder}: a command replacing this result did not finish; run it again"
        )
    handle = lock(folder, option)
    try:
        yield True
    finally:
        handle.close()


def record_inside(
    folder: Path, paths: list[Path], skip: dict[Path, set[str]] | None = None
) -> None:
    """Record the paths that lie directly in the result ``folder`` (its lock held).

    A folder is recorded with each file in it, so a file added there later is not the tool's;
    ``skip`` names, per folder, files that were there before and are not the command's (unless
    an earlier result already recorded them).
    """
    skip = skip or {}
    root = Path(folder).resolve()
    if not is_sim_manifest(read_manifest(root)):
        return
    names = []
    for path in map(Path, paths):
        if path.resolve().parent != root or not path.exists():
            continue
        names.append(_entry(root, path.name))
        if path.is_dir():
            before = skip.get(path, set())
            names += [
                f"{path.name}/{p.name}" for p in sorted(path.iterdir()) if p.name not in before
            ]
    if names:
        record(root, names)


def register_subresult(folder: Path) -> bool:
    """Record ``folder`` in its parent's manifest when the parent is a result (best effort).

    Returns False when the parent is no result or another command holds its lock (the
    sub-result then stays unrecorded there, so the parent is never replaced over it).
    """
    parent = Path(folder).resolve().parent
    if not is_sim_manifest(read_manifest(parent)):
        return False
    try:
        handle = lock(parent)
    except InputError:
        return False
    try:
        record(parent, [Path(folder).resolve().name + "/"])
    finally:
        handle.close()
    return True


def record(folder: Path, names: list[str], status: str | None = None) -> None:
    """Add entries written in place to the folder's manifest (a minimal one when none)."""
    manifest = read_manifest(folder)
    if not is_sim_manifest(manifest):
        manifest = {"generator": f"{GENERATOR} {sim.__version__}"}
    old = [f for f in manifest.get("files") or [] if isinstance(f, str)]
    manifest["files"] = sorted({*old, *names, MANIFEST})
    if status is not None:
        manifest["status"] = status
    write_json(Path(folder) / MANIFEST, manifest)
