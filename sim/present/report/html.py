"""Small HTML helpers: every text passes through :func:`esc` on its way into the page."""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape


def esc(text: object) -> str:
    """Escape text for HTML."""
    return escape(str(text), quote=True)


def section(anchor: str, title: str, *parts: str) -> str:
    """A ``<section>`` with a heading."""
    return f'<section id="{esc(anchor)}"><h2>{esc(title)}</h2>\n' + "\n".join(parts) + "</section>"


def para(text: str, cls: str = "") -> str:
    """A paragraph of plain text."""
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{esc(text)}</p>"


def table(
    headers: list[str],
    rows: Iterable[list[str]],
    caption: str = "",
    cls: str = "",
    row_keys: list[str] | None = None,
) -> str:
    """A table of already formatted cells (escaped here); ``row_keys`` become ``data-key``."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        key = f' data-key="{esc(row_keys[i])}"' if row_keys else ""
        cells = "".join(
            f"<t{'h' if j == 0 else 'd'}>{esc(c)}</t{'h' if j == 0 else 'd'}>"
            for j, c in enumerate(row)
        )
        body.append(f"<tr{key}>{cells}</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<table class="{cls}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def dl(items: Iterable[tuple[str, str]]) -> str:
    """A definition list of (term, description) pairs."""
    return "<dl>" + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in items) + "</dl>"


def link(text: str, url: str) -> str:
    """A link (the text is the citation; the page works without following it)."""
    return f'<a href="{esc(url)}">{esc(text)}</a>'


def with_code(text: str, words: str) -> str:
    """Escape ``text`` and mark what matches ``words`` (a regular expression) as code.

    A match ends before a space, a stop, a comma, a semicolon or a bracket, so a command
    at the end of a sentence leaves the full stop outside the ``<code>``.
    """
    pattern = rf"({words})(?=[ .,;)]|$)"
    return re.sub(pattern, r'<code lang="und">\1</code>', esc(text))
