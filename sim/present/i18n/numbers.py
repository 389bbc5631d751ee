"""Number formats of Norwegian bokmål (``nb``) and English (``en``), in one place.

Norwegian uses a no-break space between thousands, a decimal comma and a true minus sign
(``−1 234,5``); English a thousands comma, a decimal point and a hyphen-minus (``-1,234.5``).
Every number is rounded before its sign is chosen, so a value that rounds to zero never prints
as ``-0``. Dates are shown as ISO months (``2024-01``, :data:`MONTH_FORMAT`) and years
(``2024``, :data:`YEAR_FORMAT`) in both languages.
"""

from __future__ import annotations

import math

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
    text = f"{abs(float(x)):,.{decimals}f}"
    if lang == "nb":
        text = text.replace(",", NBSP).replace(".", ",")
    sign = (MINUS if lang == "nb" else "-") if round(float(x), decimals) < 0 else ""
    return sign + text


def percent(share: float | None, decimals: int = 1, lang: str = "en") -> str:
    """A share (0.103) as a percentage: ``10,3 %`` (nb, no-break space), ``10.3%`` (en)."""
    if is_missing(share):
        return DASH
    sep = NBSP if lang == "nb" else ""
    return f"{number(100 * float(share), decimals, lang)}{sep}%"
