"""Names a user may have mistyped: look-alike letters, case, Unicode forms and near-misses.

A key such as ``hаndover_loss`` (with a Cyrillic ``а``) looks exactly like ``handover_loss``
on screen, so "unknown key" alone would leave the user staring at a name that looks right.
:func:`unknown` names the known key it looks like and the character that differs.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

# Cyrillic and Greek letters drawn like Latin ones (the common part of Unicode's confusables)
_CYRILLIC = ("аАВсСеЕһНіІјЈкКмМоОрРѕЅтТѵхХуҮԁԛԝ", "aABcCeEhHiIjJkKmMoOpPsStTvxXyYdqw")
_GREEK = ("αΑΒϲϹεΕΗιΙϳͿκΚΜΝοΟρΡτΤνχΧΥΖ", "aABcCeEHiIjJkKMNoOpPtTvxXYZ")
CONFUSABLES = str.maketrans(_CYRILLIC[0] + _GREEK[0], _CYRILLIC[1] + _GREEK[1])
CLOSE = 0.8  # difflib ratio above which a name counts as a misspelling of a known one


def skeleton(name: str) -> str:
    """The name as it reads: two names with the same skeleton look the same to a reader.

    NFKC form, Cyrillic and Greek look-alikes as Latin letters, invisible (format) characters
    dropped, case folded.
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text.translate(CONFUSABLES).casefold()


def suggest(name: str, known: Iterable[str]) -> str | None:
    """The known name that ``name`` looks like or nearly spells, or None."""
    by_skeleton = {skeleton(k): k for k in sorted(known, reverse=True)}
    same = by_skeleton.get(skeleton(name))
    if same is not None:
        return same
    close = difflib.get_close_matches(skeleton(name), list(by_skeleton), n=1, cutoff=CLOSE)
    return by_skeleton[close[0]] if close else None


def show(text: str, limit: int = 80) -> str:
    """``text`` as it can be printed on one short line.

    Cut to about ``limit`` characters; quoted and escaped when it holds control or invisible
    characters (printable letters of any script are kept as they are).
    """
    if len(text) > limit:
        text = text[:limit] + "..."
    return text if text.isprintable() else repr(text)


def _difference(name: str, known: str) -> str:
    odd = next((c for c in name if not c.isascii() or not c.isprintable()), None)
    if odd is None:
        return f"{show(name)} differs from {known} only in upper/lower case"
    what = unicodedata.name(odd, "an unnamed character")
    return f"{ascii(name[:80])} contains U+{ord(odd):04X} {what} (not ASCII)"


def unknown(name: str, known: Iterable[str], what: str = "key") -> str:
    """The problem text for an unknown ``name``.

    Names the known name it looks like (same skeleton: the character that differs is named) or
    nearly spells, then lists the valid names.
    """
    known = sorted(known)
    valid = ", ".join(known)
    guess = suggest(name, known)
    if guess is None:
        return f"unknown {what} (valid: {valid})"
    if skeleton(name) == skeleton(guess):
        return f"unknown {what}: {_difference(name, guess)}; did you mean {guess}?"
    return f"unknown {what} (did you mean {guess}? valid: {valid})"
