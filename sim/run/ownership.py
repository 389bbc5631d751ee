"""Which entries of a results folder the tool wrote: the manifest's ``files`` and nothing else.

A result's ``manifest.json`` carries ``generator`` (this package) and ``files``: the files and
folders the result wrote, folders with a trailing slash, and each file inside a folder that a
command added (``report-nb-figures/fig.png``). An entry is the tool's own when:

- the manifest records it and it is a file;
- it is a recorded folder with a manifest of its own (a sub-result such as ``trial/``), and
  every entry inside is that manifest's own;
- it is a recorded folder whose files the manifest lists one by one, and it holds no others;
- it is a batch's ``runs/`` folder holding only run files (names the tool makes);
- it is a hidden name only the tool makes (staging, scratch, temporary files).

A manifest is read only when it is a regular file of bounded size, so a pipe or a device in
its place is refused, never read. Results made before ``files`` existed (a manifest with the
package version, git commit and scenarios, no ``files``) own the names those versions wrote.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

from sim.errors import InputError

MANIFEST = "manifest.json"
LOCK_FILE = ".sim.lock"  # only where a folder cannot be locked itself (resultsdir.Lock)
GENERATOR = "trondelag-neet-sim"
MAX_MANIFEST = 64 * 1024 * 1024  # bytes: scenario texts make manifests large, not this large
# names only the tool makes; the pid lets a live command's entries be told from stale ones
TOOL_NAME = re.compile(
    r"^\.(?:staging|runs|trash)-(?P<pid>\d+)-[0-9a-f]{8}$"  # results staging and scratch
    r"|^\..+\.(?P<tpid>\d+)\.[0-9a-f]{8}\.tmp$"  # a file being written
    r"|^\.sim-report-(?P<rpid>\d+)-[a-z0-9_]{8}$"  # a report being drawn
)
RUN_FILE = re.compile(
    r"^[^/]+__r\d+(\.monthly|\.cohorts)?\.parquet(\.damaged\d*)?$|^config\.json$"
)
LEGACY = re.compile(
    r"^(yearly|monthly|paired)\.parquet$|^(summary|trial|failures)\.json$|^runs$"
    r"|^report-(nb|en)\.html$|^report-(nb|en)-figures$|^targets\.csv$|^\.lock$"
    r"|^(calibrated\.toml|fit\.csv|evaluations\.csv|sensitivity\.png|design\.csv|indices\.csv)$"
)
SHOWN = 5  # unrecorded names listed in a refusal


def read_manifest(folder: Path) -> dict | None:
    """The folder's manifest; None when missing, not a regular file, too large or no object.

    A pipe or a device in its place is never read.
    """
    path = Path(folder) / MANIFEST
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_MANIFEST:
            return None
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_sim_manifest(manifest: dict | None) -> bool:
    """Whether a manifest was written by this tool (its generator, or an earlier version's)."""
    if not manifest:
        return False
    return str(manifest.get("generator", "")).startswith(GENERATOR) or _legacy(manifest)


def _legacy(manifest: dict) -> bool:
    keys = {"package_version", "git_commit", "scenarios", "created"}
    return "generator" not in manifest and "files" not in manifest and keys <= manifest.keys()


def owned(manifest: dict | None) -> dict[str, set[str] | None]:
    """Top-level name → the files recorded inside it (None: none listed one by one)."""
    if not is_sim_manifest(manifest):
        return {}
    files = manifest.get("files")
    if not isinstance(files, list):
        return {}
    out: dict[str, set[str] | None] = {}
    for entry in files:
        parts = entry.strip("/").split("/") if isinstance(entry, str) else []
        if not parts or any(p in ("", ".", "..") for p in parts):
            continue  # not a name the tool writes
        inner = out.setdefault(parts[0], None)
        if len(parts) > 1:
            out[parts[0]] = (inner or set()) | {"/".join(parts[1:])}
    return out


def recorded(folder: Path) -> set[str]:
    """Top-level names the folder's manifest records.

    For a result of an earlier version: the names such versions wrote that are there.
    """
    manifest = read_manifest(folder)
    if is_sim_manifest(manifest) and _legacy(manifest):
        return {e for e in os.listdir(folder) if LEGACY.match(e)}
    return set(owned(manifest))


def unrecorded(folder: Path) -> list[str]:
    """Entries below ``folder`` that are not the tool's own (paths relative to ``folder``)."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    manifest = read_manifest(folder)
    names = owned(manifest)
    legacy = is_sim_manifest(manifest) and _legacy(manifest)
    out = []
    for entry in sorted(os.listdir(folder)):
        path = folder / entry
        if TOOL_NAME.match(entry) or entry == LOCK_FILE:
            continue
        if entry == MANIFEST and is_sim_manifest(manifest):
            continue
        if entry in names or (legacy and LEGACY.match(entry)):
            out += [f"{entry}/{n}" for n in _foreign_inside(path, names.get(entry))]
        else:
            out.append(entry + ("/" if _is_dir(path) else ""))
    return out


def _foreign_inside(path: Path, listed: set[str] | None) -> list[str]:
    """What a recorded entry holds that is not the tool's own (empty for a file)."""
    if not _is_dir(path):
        return []
    if (path / MANIFEST).is_file():
        return unrecorded(path)
    entries = sorted(os.listdir(path))
    if listed is not None:
        return [e for e in entries if e not in listed]
    if path.name == "runs":
        return [e for e in entries if not (RUN_FILE.match(e) or TOOL_NAME.match(e))]
    return [e for e in entries if not re.fullmatch(r"[\w.-]+\.(png|svg)", e)]  # older figures


def _is_dir(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def stale(entry: str) -> bool:
    """Whether a tool-made hidden name belongs to no live process (so it may be removed)."""
    match = TOOL_NAME.match(entry)
    if not match:
        return False
    pid = int(match.group("pid") or match.group("tpid") or match.group("rpid"))
    return pid == os.getpid() or not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_out(out: Path, option: str = "--out") -> None:
    """Refuse an output folder this command may not write (InputError, nothing written).

    It must not be a file, its nearest existing ancestor must be a writable folder, and an
    existing folder must be empty or hold only the tool's own entries.
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
