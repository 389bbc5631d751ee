"""Number and date formats of Norwegian bokmål (``nb``) and English (``en``), in one place.

Digits, separators and month names come from the Unicode CLDR data that Babel ships, so each
language is written as its readers expect: Norwegian uses a no-break space between thousands,
a decimal comma and a true minus sign (``−1 234,5``); English a thousands comma, a decimal
point and a hyphen-minus (``-1,234.5``). Every number is rounded before its sign is chosen, so
a value that rounds to zero never prints as ``-0``. Months in running text are written out
(``januar 2024``, ``January 2024``: :func:`month`); plot axes keep ISO months (``2024-01``,
:data:`MONTH_FORMAT`) and years (``2024``, :data:`YEAR_FORMAT`).
"""

from __future__ import annotations

import math
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal

DASH = "\u2013"  # en dash: shown for suppressed or missing values, and in ranges
NBSP = "\u00a0"
MINUS = "\u2212"
MONTH_FORMAT = "%Y-%m"  # strftime format of a month on axes, as the tables' ``period``
YEAR_FORMAT = "%Y"


def is_missing(x: object) -> bool:
    """Whether ``x`` is None or a float NaN."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def number(x: float | None, decimals: int = 0, lang: str = "en", missing: str = DASH) -> str:
    """Format ``x`` with the separators of ``lang``; ``missing`` when it is None or NaN."""
    if is_missing(x):
        return missing
    rounded = round(abs(float(x)), decimals)
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    text = format_decimal(rounded, format=pattern, locale=lang, decimal_quantization=True)
    sign = (MINUS if lang == "nb" else "-") if round(float(x), decimals) < 0 else ""
    return sign + text


def percent(share: float | None, decimals: int = 1, lang: str = "en") -> str:
    """A share (0.103) as a percentage: ``10,3 %`` (nb, no-break space), ``10.3%`` (en)."""
    if is_missing(share):
        return DASH
    sep = NBSP if lang == "nb" else ""
    return f"{number(100 * float(share), decimals, lang)}{sep}%"


def month(period: str | None, lang: str = "en") -> str:
    """A ``YYYY-MM`` month written out: ``januar 2024`` (nb), ``January 2024`` (en)."""
    if not period:
        return DASH
    try:
        year, mon = (int(p) for p in str(period).split("-")[:2])
        return format_date(date(year, mon, 1), "MMMM y", locale=lang)
    except ValueError:
        return str(period)
