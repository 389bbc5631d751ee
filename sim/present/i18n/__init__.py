"""The one translation system of ``sim.present``: report, plots, dashboard and console.

Every visible word lives in one catalogue per language (``nb.toml``, ``en.toml`` next to this
module; the dashboard's words under ``[dashboard]``); code refers to entries by key, e.g.
``Lang("nb").t("nav.summary")`` or ``t("en", "dashboard.axis.month")``. Numbers are formatted
for the language by :mod:`sim.present.i18n.numbers`: Norwegian bokmål uses a no-break space
between thousands and a decimal comma (``NOK 1 234 567``, ``10,3 %``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

from sim.analysis.intervals import MIN_REPS
from sim.present.i18n.numbers import (
    DASH,
    MINUS,
    MONTH_FORMAT,
    NBSP,
    YEAR_FORMAT,
    is_missing,
    month,
    number,
    percent,
)

__all__ = [
    "DASH",
    "LANGS",
    "MINUS",
    "MONTH_FORMAT",
    "NBSP",
    "YEAR_FORMAT",
    "Lang",
    "check_lang",
    "glossary",
    "load_dictionary",
    "name",
    "t",
]

LANGS = ("nb", "en")
INTERVAL_WORDS = ("interval", "the_interval", "intervals", "band")


def _flatten(table: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = str(value)
    return out


def check_lang(lang: str) -> str:
    """Return ``lang`` when it is a known language code, else raise ValueError."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    return lang


@cache
def load_dictionary(lang: str) -> dict[str, str]:
    """Return the flat catalogue (``"section.key" -> text``) of one language."""
    path = resources.files("sim.present.i18n").joinpath(f"{check_lang(lang)}.toml")
    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))


@cache
def municipality_names() -> dict[str, str]:
    """Municipality number → name (``sim/data/municipalities.csv``), e.g. ``5001`` → Trondheim."""
    from sim.core.geo import load_geography

    geo = load_geography()
    return dict(zip(geo.numbers, geo.names, strict=True))


@cache
def glossary() -> dict[str, dict[str, str]]:
    """The domain terms of ``glossary.toml``: key → ``nb``, ``en`` and ``avoid_nb``.

    ``avoid_nb`` lists words that must not stand in for the term in Norwegian text.
    """
    path = resources.files("sim.present.i18n").joinpath("glossary.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


def t(lang: str, key: str, **values: object) -> str:
    """Translate ``key`` into ``lang`` (shorthand for ``Lang(lang).t(key, **values)``)."""
    return Lang(lang).t(key, **values)


def name(lang: str, section: str, item: str) -> str:
    """Label of an item of an open set (``dashboard.service``, ...); the item if unknown."""
    return Lang(lang).name(section, item)


@dataclass(frozen=True)
class Lang:
    """Words and number formats of one language.

    Attributes:
        code: ``"nb"`` (Norwegian bokmål) or ``"en"``.
        reps: The fewest and most replicates behind the intervals shown (None: not known).
            With fewer than ``MIN_REPS``, the words ``{interval}``, ``{the_interval}``,
            ``{intervals}`` and ``{band}`` in the dictionary say "range of n replicates"
            instead of "95 % interval".

    """

    code: str = "en"
    labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    reps: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not self.labels:
            object.__setattr__(self, "labels", load_dictionary(self.code))

    def t(self, key: str, **values: object) -> str:
        """Translate ``key``, filling ``{placeholders}`` from ``values`` and the interval words."""
        text = self.labels[key]
        return text.format(**{**self.interval_words(), **values}) if "{" in text else text

    def with_reps(self, counts: Iterable[int]) -> Lang:
        """This language, with intervals named after the replicate ``counts`` behind them."""
        counts = [int(c) for c in counts]
        return replace(self, reps=(min(counts), max(counts)) if counts else None)

    def interval_words(self) -> dict[str, str]:
        """``interval``, ``the_interval``, ``intervals``, ``band``: 95 % ones or ranges of n."""
        kind = "range" if self.few_reps else "ci"
        n = self.reps_text()
        return {w: self.labels[f"interval.{kind}.{w}"].format(n=n) for w in INTERVAL_WORDS}

    @property
    def few_reps(self) -> bool:
        """Whether some interval rests on fewer than ``MIN_REPS`` replicates."""
        return self.reps is not None and self.reps[0] < MIN_REPS

    def reps_text(self) -> str:
        """The replicates behind the intervals: ``2``, ``2–4``, or ``–`` when not known."""
        if self.reps is None:
            return DASH
        few, most = self.reps
        return str(few) if few == most else f"{few}{DASH}{most}"

    def name(self, section: str, item: str) -> str:
        """Label of an item of an open set (service, payer, group); the item itself if unknown."""
        return self.labels.get(f"{section}.{item}", item)

    def group(self, group: str) -> str:
        """Readable label of a table ``group`` such as ``kommune:5001`` or ``20-24``."""
        if group.startswith("kommune:"):
            code = group.split(":", 1)[1]
            return municipality_names().get(code) or self.t("group.kommune", code=code)
        if group.startswith("service:"):
            return self.name("service", group.split(":", 1)[1])
        if group in ("15-19", "20-24", "25-29"):
            return group.replace("-", DASH)
        return self.name("group", group)

    def number(self, x: float | None, decimals: int = 0) -> str:
        """Format a number with the language's separators (``–`` when missing)."""
        return number(x, decimals, self.code)

    def nok(self, x: float | None) -> str:
        """Format an amount in kroner: ``1 234 567 kr`` (nb), ``NOK 1,234,567`` (en)."""
        if is_missing(x):
            return DASH
        return f"{self.number(x)}{NBSP}kr" if self.code == "nb" else f"NOK{NBSP}{self.number(x)}"

    def nok_million(self, x: float | None, decimals: int = 1) -> str:
        """Format an amount as NOK million (``NOK 480,3 mill.`` in nb, ``NOK 480.3 million``)."""
        if is_missing(x):
            return DASH
        text = self.t("summary.million", value=self.number(float(x) / 1e6, decimals))
        return text.replace(" ", NBSP)

    def mnok(self, x: float | None, decimals: int = 1) -> str:
        """An amount in NOK as a bare number of millions (the unit is said once, in the header).

        One decimal by default; whole millions when asked for (``decimals=0``) or when the
        amount is 1,000 million or more, so a cell never shows whole kroner.
        """
        if is_missing(x):
            return DASH
        millions = float(x) / 1e6
        return self.number(millions, 0 if abs(millions) >= 1000 else decimals)

    def month(self, period: str | None) -> str:
        """A ``YYYY-MM`` month in words: ``januar 2024`` (nb), ``January 2024`` (en)."""
        return month(period, self.code)

    def term(self, key: str) -> str:
        """A domain term from the glossary (``glossary.toml``), in this language."""
        return glossary()[key][self.code]

    def param(self, name: str, params=None) -> str:
        """A parameter's label in this language from the parameter file; the name if none."""
        if params is not None and "name" in params and f"label_{self.code}" in params:
            hit = params.loc[params["name"] == name, f"label_{self.code}"]
            if len(hit) and isinstance(hit.iloc[0], str) and hit.iloc[0].strip():
                return hit.iloc[0].strip()
        return name

    def unit(self, unit: str) -> str:
        """Translate a unit as written in ``parameters.csv`` (``probability/month``)."""
        return self.labels.get(f"unit.{unit.strip()}", unit) if unit else ""

    def pct(self, share: float | None, decimals: int = 1) -> str:
        """Format a share (0.103) as a percentage (``10,3 %`` in nb, ``10.3%`` in en)."""
        return percent(share, decimals, self.code)

    def pp(self, diff: float | None, decimals: int = 1) -> str:
        """Format a difference of shares in percentage points, with its sign."""
        if is_missing(diff):
            return DASH
        plus = "+" if round(100 * float(diff), decimals) > 0 else ""
        return f"{plus}{self.number(100 * float(diff), decimals)}{NBSP}{self.t('unit.pp')}"

    def interval(self, median: float | None, lo: float | None, hi: float | None, fmt) -> str:
        """Format ``median (lo–hi)`` with ``fmt`` (a method such as :meth:`pct`)."""
        if is_missing(median):
            return DASH
        return f"{fmt(median)} ({fmt(lo)}{NBSP}{DASH}{NBSP}{fmt(hi)})"
