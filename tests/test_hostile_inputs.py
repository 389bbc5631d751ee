"""Hostile input files and option values: each is refused with exit 2 and one line, or accepted.

Every case runs the real command in a child process (:mod:`hostile`) in an empty folder and
checks the contract: exit 2, one line on stderr naming the problem, no traceback, and nothing
written (the folder is as it was, ``--out`` included). Files that could hang a reader (a named
pipe) or exhaust its memory (``/dev/zero``) run under a timeout, so a regression fails instead of
hanging. Each case is cheap: validation fails before anything is simulated.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from hostile import QUICK as QUICK_RUN
from hostile import ROOT, assert_clean, assert_refused, sim, snapshot

from sim.core.names import skeleton, suggest, unknown
from sim.core.scenario import load_scenario
from sim.errors import InputError

BASELINE = ROOT / "scenarios" / "baseline.toml"
HEAD = 'name = { nb = "a", en = "b" }\ndescription = { nb = "a", en = "b" }\n'
CHILD = f'{HEAD}extends = "{BASELINE.as_posix()}"\n'
BIG = "1" + "0" * 299  # a 300-digit integer
QUICK = {"--years": "1", "--scale": "0.02"}  # unless the case gives its own value
TIMEOUT = 60  # seconds: a reader that blocks on a pipe fails the case instead of hanging


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _batch(tmp: Path, body: str, scenario: Path = BASELINE) -> Path:
    return _write(tmp / "batch.toml", f'scenarios = ["{scenario.as_posix()}"]\n{body}')


def _run(path: Path, *options: str) -> list:
    return ["run", path, *options]


# -- each case: a builder (tmp folder -> command line) and what the one line must mention -------
def fifo_scenario(tmp: Path) -> list:
    os.mkfifo(tmp / "pipe.toml")
    return _run(tmp / "pipe.toml")


def fifo_extends(tmp: Path) -> list:
    os.mkfifo(tmp / "pipe.toml")
    return _run(_write(tmp / "s.toml", f'{HEAD}extends = "pipe.toml"\n'))


def fifo_in_batch(tmp: Path) -> list:
    os.mkfifo(tmp / "pipe.toml")
    return ["batch", _batch(tmp, "", tmp / "pipe.toml")]


def dev_zero_extends(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{HEAD}extends = "/dev/zero"\n'))


def dev_zero_scenario(tmp: Path) -> list:
    return _run("/dev/zero")


def symlink_loop(tmp: Path) -> list:
    (tmp / "a.toml").symlink_to(tmp / "b.toml")
    (tmp / "b.toml").symlink_to(tmp / "a.toml")
    return _run(tmp / "a.toml")


def symlink_loop_extends(tmp: Path) -> list:
    (tmp / "a.toml").symlink_to(tmp / "b.toml")
    (tmp / "b.toml").symlink_to(tmp / "a.toml")
    return _run(_write(tmp / "s.toml", f'{HEAD}extends = "a.toml"\n'))


def dangling_symlink(tmp: Path) -> list:
    (tmp / "s.toml").symlink_to(tmp / "gone.toml")
    return _run(tmp / "s.toml")


def directory(tmp: Path) -> list:
    (tmp / "dir.toml").mkdir()
    return _run(tmp / "dir.toml")


def two_megabytes(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", CHILD + ("# padding\n" * 200_000)))


def integer_300_digits(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f"{CHILD}[params]\nbup_capacity = {BIG}\n"))


def integer_5000_digits(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f"{CHILD}[params]\nbup_capacity = 1{'0' * 5000}\n"))


def integer_in_unknown_table(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f"{CHILD}[params]\nx = [[{BIG}]]\n"))


def nested_too_deep(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f"{CHILD}deep = {'[' * 5000}{']' * 5000}\n"))


def not_utf8(tmp: Path) -> list:
    (tmp / "s.toml").write_bytes(CHILD.encode("utf-16"))
    return _run(tmp / "s.toml")


def nul_in_extends(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{HEAD}extends = "a\\u0000b.toml"\n'))


def newline_in_key(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{CHILD}"a\\nb" = 1\n'))


def cyrillic_param(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{CHILD}[params]\n"h\u0430ndover_loss" = 0.1\n'))


def greek_top_key(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{CHILD}"\u03a1arams" = {{}}\n'))


def fullwidth_param(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{CHILD}[params]\n"\uff50lan_conflict" = 0.1\n'))


def wrong_case_param(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f"{CHILD}[params]\nHandover_Loss = 0.1\n"))


def wrong_case_lang(tmp: Path) -> list:
    text = 'name = { nb = "a", EN = "b" }\ndescription = { nb = "a", en = "b" }\n'
    return _run(_write(tmp / "s.toml", text))


def misspelt_param(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f"{CHILD}[params]\nhandover_los = 0.1\n"))


def missing_scenario(tmp: Path) -> list:
    return _run(tmp / "nowhere.toml")


def missing_with_newline_in_name(tmp: Path) -> list:
    return _run(tmp / "two\nlines.toml")


def missing_extends(tmp: Path) -> list:
    return _run(_write(tmp / "s.toml", f'{HEAD}extends = "nowhere.toml"\n'))


def long_extends_chain(tmp: Path) -> list:
    _write(tmp / "s40.toml", HEAD)
    for i in range(40):
        _write(tmp / f"s{i}.toml", f'{HEAD}extends = "s{i + 1}.toml"\n')
    return _run(tmp / "s0.toml")


def at_in_batch_scenario(tmp: Path) -> list:
    scenario = _write(tmp / "a@b.toml", CHILD)
    return ["batch", _batch(tmp, "", scenario)]


def at_in_batch_scenario_resume(tmp: Path) -> list:
    return [*at_in_batch_scenario(tmp), "--resume"]


def start_year_zero(tmp: Path) -> list:
    return _run(BASELINE, "--start", "0000-01")


def start_year_9999(tmp: Path) -> list:
    return _run(BASELINE, "--start", "9999-12")


def seed_300_digits(tmp: Path) -> list:
    return _run(BASELINE, "--seed", BIG)


def seed_2_to_63(tmp: Path) -> list:
    return _run(BASELINE, "--seed", str(2**63))


def reps_ten_million(tmp: Path) -> list:
    return _run(BASELINE, "--reps", "10000000")


def years_huge(tmp: Path) -> list:
    return _run(BASELINE, "--years", str(10**20))


def batch_huge_reps(tmp: Path) -> list:
    return ["batch", _batch(tmp, "reps = 10000000\n")]


def batch_300_digit_reps(tmp: Path) -> list:
    return ["batch", _batch(tmp, f"reps = {BIG}\n")]


def batch_seed_2_to_63(tmp: Path) -> list:
    return ["batch", _batch(tmp, f"seed = {2**63}\n")]


def batch_grid_300_digits(tmp: Path) -> list:
    return ["batch", _batch(tmp, f"[grid]\nhandover_loss = [0.1, {BIG}]\n")]


def batch_start_year_zero(tmp: Path) -> list:
    return ["batch", _batch(tmp, 'start = "0000-01"\n')]


def batch_cyrillic_key(tmp: Path) -> list:
    return ["batch", _batch(tmp, '"\u0455eed" = 2\n')]


def batch_cyrillic_grid(tmp: Path) -> list:
    return ["batch", _batch(tmp, '[grid]\n"plan_c\u043enflict" = [0.1]\n')]


def batch_large_file(tmp: Path) -> list:
    return ["batch", _batch(tmp, "#" * (2**20 + 1) + "\n")]


def compare_second_is_pipe(tmp: Path) -> list:
    os.mkfifo(tmp / "pipe.toml")
    return ["compare", BASELINE, tmp / "pipe.toml", "--reps", "1"]


CASES: list[tuple[Callable[[Path], list], str]] = [
    (fifo_scenario, "pipe.toml: is a named pipe"),
    (fifo_extends, "pipe.toml: is a named pipe"),
    (fifo_in_batch, "scenarios[0]: is a named pipe"),
    (dev_zero_extends, "/dev/zero: is a character device"),
    (dev_zero_scenario, "/dev/zero: is a character device"),
    (symlink_loop, "a loop of symbolic links"),
    (symlink_loop_extends, "a loop of symbolic links"),
    (dangling_symlink, "s.toml: file not found"),
    (directory, "dir.toml: is a directory"),
    (two_megabytes, "larger than 1 MB"),
    (integer_300_digits, "params.bup_capacity: integer beyond 64 bits"),
    (integer_5000_digits, "too many digits"),
    (integer_in_unknown_table, "params.x[0][0]: integer beyond 64 bits"),
    (nested_too_deep, "nested too deeply"),
    (not_utf8, "not UTF-8"),
    (nul_in_extends, "not a usable file name"),
    (newline_in_key, "'a\\nb': unknown key"),
    (cyrillic_param, "U+0430 CYRILLIC SMALL LETTER A (not ASCII); did you mean handover_loss?"),
    (greek_top_key, "did you mean params?"),
    (fullwidth_param, "did you mean plan_conflict?"),
    (wrong_case_param, "only in upper/lower case; did you mean handover_loss?"),
    (wrong_case_lang, "name.EN: unknown key: EN differs from en only in upper/lower case"),
    (misspelt_param, "did you mean handover_loss?"),
    (missing_scenario, "nowhere.toml: file not found"),
    (missing_with_newline_in_name, "two\\nlines.toml: file not found"),
    (missing_extends, "s.toml: extends: file not found"),
    (long_extends_chain, "extends: a chain of more than 32 files"),
    (at_in_batch_scenario, "a@b.toml: '@' in a scenario file name"),
    (at_in_batch_scenario_resume, "a@b.toml: '@' in a scenario file name"),
    (start_year_zero, "--start: the year must be 1900-2100"),
    (start_year_9999, "--start: the year must be 1900-2100"),
    (seed_300_digits, "--seed: must be 0-9223372036854775807"),
    (seed_2_to_63, "--seed: must be 0-9223372036854775807"),
    (reps_ten_million, "--reps: must be 1-100000"),
    (years_huge, "--years: must be 1-60"),
    (batch_huge_reps, "reps: must be 1-100000"),
    (batch_300_digit_reps, "reps: integer beyond 64 bits"),
    (batch_seed_2_to_63, "batch.toml: seed: integer beyond 64 bits"),
    (batch_grid_300_digits, "grid.handover_loss[1]: integer beyond 64 bits"),
    (batch_start_year_zero, "start: the year must be 1900-2100"),
    (batch_cyrillic_key, "U+0455 CYRILLIC SMALL LETTER DZE (not ASCII); did you mean seed?"),
    (batch_cyrillic_grid, "did you mean plan_conflict?"),
    (batch_large_file, "batch.toml: file is larger than 1 MB"),
    (compare_second_is_pipe, "pipe.toml: is a named pipe"),
]


@pytest.mark.parametrize(
    ("build", "mentions"), [pytest.param(b, m, id=b.__name__.replace("_", "-")) for b, m in CASES]
)
def test_hostile_input_is_refused(tmp_path: Path, build, mentions: str) -> None:
    """Exit 2, one line naming the problem, no traceback, nothing written."""
    work = tmp_path / "work"
    work.mkdir()
    args = build(work)
    out = tmp_path / "out"
    before = snapshot(tmp_path)
    quick = [x for opt, value in QUICK.items() if opt not in args for x in (opt, value)]
    outcome = sim(*args, "--out", out, *quick, "--quiet", cwd=work, timeout=TIMEOUT)
    assert_refused(outcome, mentions=mentions)
    assert outcome.lines[0].startswith("sim: error: ")
    assert snapshot(tmp_path) == before
    assert not out.exists()


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A file saved with a UTF-8 byte-order mark (as some editors do) runs like any other."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f"{CHILD}[params]\nhandover_loss = 0.1\n".encode())
    out = tmp_path / "out"
    outcome = sim("run", path, "--out", out, *QUICK_RUN, cwd=tmp_path, timeout=TIMEOUT)
    assert_clean(outcome, codes=(0,))
    assert (out / "manifest.json").exists()


# -- in process: the pieces behind the messages ------------------------------------------------
def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + f"{CHILD}[params]\nhandover_loss = 0.1\n".encode())
    sc = load_scenario(path)
    assert sc.overrides["handover_loss"] == 0.1
    assert not sc.files[0].text.startswith("\ufeff")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("h\u0430ndover_loss", "handover_loss"),  # Cyrillic a
        ("\u0440lan_conflict", "plan_conflict"),  # Cyrillic er
        ("handover_l\u03bfss", "handover_loss"),  # Greek omicron
        ("HANDOVER_LOSS", "handover_loss"),
        ("\uff48andover_loss", "handover_loss"),  # fullwidth h (NFKC)
        ("hand\u200bover_loss", "handover_loss"),  # zero-width space
        ("handover_los", "handover_loss"),  # a near-miss
    ],
)
def test_suggest_names_the_known_key(typed: str, meant: str) -> None:
    assert suggest(typed, ["handover_loss", "plan_conflict", "name"]) == meant


def test_unrelated_name_gets_the_valid_list() -> None:
    assert suggest("colour", ["handover_loss", "plan_conflict"]) is None
    assert unknown("colour", ["b", "a"]) == "unknown key (valid: a, b)"


def test_skeleton_of_a_plain_name_is_itself() -> None:
    assert skeleton("handover_loss") == "handover_loss"


def test_missing_extends_is_named_as_extends(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.toml", f'{HEAD}extends = "gone.toml"\n')
    with pytest.raises(InputError, match=r"s\.toml: extends: file not found: .*gone\.toml"):
        load_scenario(path)


def test_missing_scenario_is_not_called_extends(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"gone\.toml: file not found$"):
        load_scenario(tmp_path / "gone.toml")
