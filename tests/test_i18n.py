"""One translation system: every key in every language, and no translations outside it.

The words shown by the report, the plots, the dashboard and the console live in the catalogues
of ``sim.present.i18n`` (``nb.toml``, ``en.toml``); numbers are formatted by
``sim.present.i18n.numbers``. These tests keep it that way.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from sim.present import console
from sim.present.i18n import LANGS, Lang, load_dictionary
from sim.present.i18n import numbers as fmt

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"
I18N = SIM / "present" / "i18n"


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_key_exists_in_every_language() -> None:
    keys = {lang: set(load_dictionary(lang)) for lang in LANGS}
    for lang in LANGS:
        for other in LANGS:
            missing = sorted(keys[other] - keys[lang])
            assert not missing, f"{lang}.toml lacks {missing[:10]} (present in {other}.toml)"


def test_every_entry_is_text_with_the_same_placeholders_in_every_language() -> None:
    nb, en = load_dictionary("nb"), load_dictionary("en")
    for key, text in nb.items():
        assert text.strip() and en[key].strip(), key
        assert _fields(text) == _fields(en[key]), f"{key}: {_fields(text)} vs {_fields(en[key])}"


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="choose one of nb, en"):
        load_dictionary("de")


def _translation_texts() -> set[str]:
    """Catalogue texts that are words of one language (differ between nb and en)."""
    nb, en = load_dictionary("nb"), load_dictionary("en")
    texts = {nb[k] for k in nb if nb[k] != en[k]} | {en[k] for k in en if nb[k] != en[k]}
    # an English text that is its own key is data named in English (a unit of parameters.csv)
    texts -= {k.rsplit(".", 1)[-1] for k in en} | {k.split(".", 1)[-1] for k in en}
    # short labels (``BUP``, ``Ja``) may occur as data; sentences and phrases may not
    return {t for t in texts if len(t) >= 12 and " " in t}


def _string_constants(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _has_language_dict(path: Path) -> bool:
    """A dict literal keyed by both language codes, or a module constant named like NB/EN."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
            if set(LANGS) <= keys:
                return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict):
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if names & {"NB", "EN", "DICTIONARIES", "TRANSLATIONS"}:
                return True
    return False


OUTSIDE = sorted(p for p in SIM.rglob("*.py") if I18N not in p.parents)


def test_no_module_outside_sim_present_i18n_defines_translations() -> None:
    texts = _translation_texts()
    assert len(texts) > 100  # the check has something to look for
    copied = {
        str(path.relative_to(ROOT)): sorted(_string_constants(path) & texts)[:3]
        for path in OUTSIDE
    }
    copied = {k: v for k, v in copied.items() if v}
    assert not copied, f"catalogue texts written out in code, use the key instead: {copied}"
    dicts = [str(p.relative_to(ROOT)) for p in OUTSIDE if _has_language_dict(p)]
    assert not dicts, f"per-language dictionaries outside sim/present/i18n: {dicts}"


def test_no_catalogue_files_outside_sim_present_i18n() -> None:
    pattern = re.compile(r"^(nb|en|nn|no)\.(toml|po|mo|json|ya?ml)$|i18n", re.IGNORECASE)
    stray = [
        str(p.relative_to(ROOT))
        for p in SIM.rglob("*")
        if pattern.search(p.name)
        and p != I18N
        and I18N not in p.parents
        and "__pycache__" not in p.parts
    ]
    assert not stray, f"translation files outside sim/present/i18n: {stray}"


@pytest.mark.parametrize(
    ("x", "decimals", "nb", "en"),
    [
        (1234567, 0, "1\u00a0234\u00a0567", "1,234,567"),
        (-1234.56, 1, "\u22121\u00a0234,6", "-1,234.6"),
        (-0.04, 1, "0,0", "0.0"),  # rounds to zero: no sign
        (None, 0, "\u2013", "\u2013"),
        (float("nan"), 2, "\u2013", "\u2013"),
    ],
)
def test_numbers_have_one_format_per_language(x, decimals, nb, en) -> None:
    assert fmt.number(x, decimals, "nb") == Lang("nb").number(x, decimals) == nb
    assert fmt.number(x, decimals, "en") == Lang("en").number(x, decimals) == en


def test_the_console_formats_with_the_shared_english_format() -> None:
    for x in (0.0, -0.3, 1234.5, -98765.4321, 1e9 / 3):
        for d in (0, 1, 2):
            assert console.number(x, d) == fmt.number(x, d, "en")
    assert console.number(None) == console.number(float("nan")) == "n/a"
    assert console.interval_label([10]) == load_dictionary("en")["interval.ci.interval"]
    assert console.interval_label([2, 4]) == "range of 2-4 replicates"
    assert fmt.percent(0.1034, 1, "nb") == "10,3\u00a0%" and fmt.percent(0.1034, 1) == "10.3%"
