"""A results folder is the user's data: what a command may write into it, replace and lock.

The rule (DESIGN.md, common options): a command writes into ``--out`` only when the folder does
not exist, is empty, or holds only entries recorded in its ``manifest.json`` (``files``: the
files and folders an earlier result wrote, which the new result may replace). Anything else
exits 2 before simulating, naming the unrecorded entries. A recorded folder that holds its
own ``manifest.json`` (a sub-result such as ``results/main/trial/``) is checked the same way,
so a file the user put inside it is never removed.

While a command runs it holds an exclusive ``flock`` on the folder itself (no file is made for
it); every other command that writes there, or reads it to add files, refuses with exit 2.
The lock dies with its process, so a folder left by a killed command is taken over by the next
one, which also removes what the killed one left half-made (only the tool's own hidden names:
``.staging-*``, ``.runs-*``, ``.trash-*``, ``.sim-report-*`` and temporary ``.*.tmp`` files).

A new result is written into a hidden staging folder inside ``DIR`` and swapped in only when
complete: the manifest is first rewritten to record the old and the new entries together (so
a crash at any point leaves a folder whose every entry is recorded), each new entry replaces
its old one, old recorded entries the new result lacks are removed, and the new manifest comes
last. Only recorded entries are ever removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import uuid
from pathlib import Path

from sim.errors import InputError

MANIFEST = "manifest.json"
# hidden names only the tool makes: staging and scratch folders, temporary files
TOOL_NAME = re.compile(
    r"^\.(staging|runs|trash)-\d+-[0-9a-f]{8}$"  # results staging and scratch
    r"|^\..+\.\d+\.[0-9a-f]{8}\.tmp$"  # a file being written
    r"|^\.sim-report-\d+-[a-z0-9_]{8}$"  # a report being drawn
)
SHOWN = 5  # unrecorded names listed in a refusal


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest, or None when it has none or it is not a JSON object."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def recorded(folder: Path) -> set[str]:
    """Top-level names the folder's manifest records (``files``; folders without the slash)."""
    manifest = read_manifest(folder)
    files = manifest.get("files") if manifest else None
    if not isinstance(files, list):
        return set()
    return {str(f).split("/", 1)[0] for f in files if isinstance(f, str) and f.strip("/")}


def unrecorded(folder: Path) -> list[str]:
    """Entries below ``folder`` that no manifest records (paths relative to ``folder``)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    names = recorded(folder)
    if is_sim_manifest(read_manifest(folder)):
        names.add(MANIFEST)
    out = []
    for entry in sorted(os.listdir(folder)):
        path = folder / entry
        if TOOL_NAME.match(entry):
            continue
        if entry not in names:
            out.append(entry + ("/" if path.is_dir() and not path.is_symlink() else ""))
        elif entry != MANIFEST and _is_subresult(path):
            out += [f"{entry}/{name}" for name in unrecorded(path)]
    return out


def is_sim_manifest(manifest: dict | None) -> bool:
    """Whether a manifest was written by this tool (it records files or a package version)."""
    return bool(manifest) and ("files" in manifest or "package_version" in manifest)


def _is_subresult(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and (path / MANIFEST).is_file()


def check_out(out: Path, option: str = "--out") -> None:
    """Refuse an output folder this command may not write (InputError, nothing written).

    It must not be a file, its nearest existing ancestor must be a writable folder, and an
    existing folder must be empty or hold only recorded entries.
    """
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{option} {out}: is a file, not a folder")
    ancestor = out if out.exists() else _nearest_existing(out)
    if not ancestor.is_dir():
        raise InputError(f"{option} {out}: {ancestor} is a file, not a folder")
    if not _writable(ancestor):
        raise InputError(f"{option} {out}: {ancestor} is not writable")
    names = unrecorded(out)
    if names:
        more = len(names) - SHOWN
        shown = ", ".join(names[:SHOWN]) + (f" and {more} more" if more > 0 else "")
        raise InputError(
            f"{option} {out}: holds files no sim result recorded ({shown}); "
            "use an empty or new folder"
        )


def _nearest_existing(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable(folder: Path) -> bool:
    """Whether new entries can be made in ``folder`` (permissions and a read-only mount)."""
    try:
        if os.statvfs(folder).f_flag & os.ST_RDONLY:
            return False
    except OSError:
        return False
    return os.access(folder, os.W_OK | os.X_OK)


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
        """Remove the tool's half-made hidden entries (staging, scratch, temporary files)."""
        removed = []
        for entry in sorted(os.listdir(self.out)):
            if TOOL_NAME.match(entry):
                _remove(self.out / entry)
                removed.append(entry)
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
        """Stage every file (see :func:`sim.outputs.write_file`), then commit; returns files."""
        from sim.outputs import write_file

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
        files = sorted({*(_entry(staged, e) for e in new), *keep, MANIFEST})
        manifest = json.loads((staged / MANIFEST).read_text(encoding="utf-8"))
        manifest["files"] = files
        old = recorded(self.out) - {MANIFEST}
        self._record_interim(old | set(new) | {k.rstrip("/") for k in keep})
        trash = self.scratch("trash")
        for entry in new:
            if (self.out / entry).exists():
                os.replace(self.out / entry, trash / entry)
            os.replace(staged / entry, self.out / entry)
        for entry in old - set(new) - {k.rstrip("/") for k in keep}:
            if (self.out / entry).exists():
                os.replace(self.out / entry, trash / entry)
        write_json(self.out / MANIFEST, manifest)
        _remove(trash)
        _remove(staged)
        self.committed = True
        register_subresult(self.out)
        return files

    def _record_interim(self, names: set[str]) -> None:
        """Record old and new entries together before any of them moves."""
        manifest = read_manifest(self.out)
        if manifest is None:
            return
        manifest["files"] = sorted(names | {MANIFEST})
        manifest["status"] = "being replaced"
        write_json(self.out / MANIFEST, manifest)

    def record(self, names: list[str], status: str | None = None) -> None:
        """Add entries written in place to the manifest (see :func:`record`)."""
        record(self.out, names, status)


def _entry(folder: Path, name: str) -> str:
    return name + "/" if (folder / name).is_dir() else name


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically and durably: temporary name, fsync, rename, fsync the folder."""
    text = json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    write_bytes(Path(path), text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically and durably (temporary name, fsync, rename, fsync the folder)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Lock:
    """An exclusive ``flock`` on the folder itself (no file is written for it).

    The kernel releases it when its process ends, however it ends, so a folder left by a
    killed command is free for the next one.
    """

    def __init__(self, folder: Path, option: str = "--out"):
        try:
            self.fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except OSError as exc:
            raise InputError(f"{option} {folder}: cannot open ({exc.strerror})") from None
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self.fd)
            raise InputError(
                f"{option} {folder}: another sim command is writing this folder"
            ) from None

    def close(self) -> None:
        """Release the lock."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def lock(folder: Path, option: str = "--out") -> Lock:
    """Take the folder's lock; InputError when another live command holds it."""
    return Lock(folder, option)


def add_files(folder: Path, files: dict[str, object], option: str = "results") -> None:
    """Write files into an existing result and record them (``sim report``, validation).

    Each name must be new or already recorded; the folder is locked while writing.
    """
    from sim.outputs import write_file

    folder = Path(folder)
    if not is_sim_manifest(read_manifest(folder)):
        raise InputError(f"{folder}: not a results folder (no readable {MANIFEST})")
    handle = lock(folder, option)
    try:
        mine = recorded(folder)
        for name in files:
            top = name.split("/", 1)[0]
            if (folder / top).exists() and top not in mine:
                raise InputError(f"{folder / top}: no sim result recorded it; not replaced")
        for name, content in files.items():
            write_file(folder / name, content)
        record(folder, list(files))
    finally:
        handle.close()


@contextlib.contextmanager
def held(folder: Path, option: str = "results"):
    """Hold a result's lock while a command reads it and adds files (report, validation).

    Yields whether ``folder`` is a result (a folder that is none is not locked).

    Raises:
        InputError: another command is writing the folder.
    """
    if not is_sim_manifest(read_manifest(folder)):
        yield False
        return
    handle = lock(folder, option)
    try:
        yield True
    finally:
        handle.close()


def record_inside(folder: Path, paths: list[Path]) -> None:
    """Record the paths that lie directly in the result ``folder`` (its lock held)."""
    root = Path(folder).resolve()
    names = [_entry(root, p.name) for p in map(Path, paths) if p.resolve().parent == root]
    if names and is_sim_manifest(read_manifest(root)):
        record(root, [n for n in names if (root / n.rstrip("/")).exists()])


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
    manifest = read_manifest(folder) or {}
    manifest["files"] = sorted(set(manifest.get("files") or []) | set(names) | {MANIFEST})
    if status is not None:
        manifest["status"] = status
    write_json(Path(folder) / MANIFEST, manifest)
