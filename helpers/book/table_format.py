"""The one formatter of the book's table cells: what a reader sees in each cell of a table.

:func:`helpers.book.display.show_table` shows every table through :func:`format_column` (the CSV
written by :func:`helpers.book.tables.write_table` keeps the raw values at full precision):

- **numbers, one format per column**: a column of whole numbers prints as integers; otherwise every
  value of the column gets the same number of decimals, enough for ``sig`` significant figures
  of its smaller values (at most two decimals more than its largest value needs); a column whose
  scale is below 1e-3 or at least 1e5, that spans more than four orders of magnitude, or that is
  named in ``sci``, prints in scientific notation (``8.75e-05``);
- **zero is 0**: an exact zero, a negative zero, a value that rounds to zero in the column's
  format and round-off (below :data:`ROUNDOFF` times the column's largest magnitude, such as
  ``-2.94e-13`` beside fluxes of order 10) all print as ``0``;
- **booleans** print as :data:`YES` / :data:`NO`; **missing values** (None, NaN, NA) as
  :data:`MISSING` (blank: the dash is the boolean "no"); infinities as ``∞`` / ``−∞``;
- **lists, tuples, sets and arrays** are joined with ", " (an empty one reads "none"), **mappings**
  read ``k=v, ...``, each item formatted like a single number (``sig`` significant figures);
- **text and ids** are kept verbatim (underscores and all).

Introduced in chapter ``00_toy_example``; every chapter's tables go through it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: A value below this times the column's largest magnitude is round-off and prints as 0.
ROUNDOFF = 1e-9
#: What a missing value prints as (blank: "–" is the boolean "no").
MISSING = ""
#: Booleans.
YES, NO = "✓", "–"
#: What an empty list, tuple, set or mapping prints as.
EMPTY = "none"
#: Column scales outside [SCI_BELOW, SCI_FROM) print in scientific notation.
SCI_BELOW, SCI_FROM = 1e-3, 1e5
#: A column spanning more orders of magnitude than this prints in scientific notation.
SPAN_DECADES = 4


@dataclass(frozen=True)
class NumberFormat:
    """How the numbers of one column print: ``kind`` is "int", "fixed" or "sci"; ``digits`` the
    decimals ("fixed") or significant figures ("sci"); ``scale`` the largest magnitude."""

    kind: str
    digits: int = 0
    scale: float = 0.0

    def __call__(self, value: float) -> str:
        """``value`` in this format (round-off and negative zeros as 0)."""
        if math.isinf(value):
            return "∞" if value > 0 else "−∞"
        if value == 0 or abs(value) < ROUNDOFF * self.scale:
            return "0"
        if self.kind == "int":
            return f"{round(value):d}"
        if self.kind == "sci":
            return f"{value:.{max(self.digits - 1, 0)}e}"
        text = f"{value:.{self.digits}f}"
        return "0" if float(text) == 0 else text


def is_missing(value) -> bool:
    """Whether ``value`` is None, NaN or NA (containers are never missing)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)


def _is_number(value) -> bool:
    return isinstance(value, numbers.Number) and not isinstance(value, (bool, np.bool_))


def _exponent(value: float) -> int:
    """The decimal exponent of ``value`` (``0.0456`` → -2)."""
    return int(math.floor(math.log10(abs(value))))


def number_format(values: Sequence, sig: int = 3, *, sci: bool = False) -> NumberFormat:
    """The one format of a column's numbers (non-numbers in ``values`` are ignored)."""
    finite = [float(v) for v in values if _is_number(v) and not is_missing(v)
              and math.isfinite(float(v))]
    scale = max((abs(v) for v in finite), default=0.0)
    kept = [abs(v) for v in finite if abs(v) >= ROUNDOFF * scale and v != 0]
    if not kept:
        return NumberFormat("int", 0, scale)
    if sci:
        return NumberFormat("sci", sig, scale)
    if all(float(v).is_integer() for v in finite) and scale < 1e15:
        return NumberFormat("int", 0, scale)
    smallest = min(kept)
    if not SCI_BELOW <= scale < SCI_FROM or _exponent(scale) - _exponent(smallest) > SPAN_DECADES:
        return NumberFormat("sci", sig, scale)
    need_largest = max(sig - 1 - _exponent(scale), 0)
    need_smallest = sig - 1 - _exponent(smallest)
    return NumberFormat("fixed", max(0, min(need_smallest, need_largest + 2)), scale)


def format_item(value, sig: int = 3) -> str:
    """One value by itself (an item of a list or mapping): a number with ``sig`` significant
    figures, anything else as :func:`format_value` shows it."""
    if _is_number(value) and not is_missing(value):
        return format_value(value, number_format([value], sig))
    return format_value(value, None, sig)


def format_value(value, fmt: NumberFormat | None = None, sig: int = 3) -> str:
    """One cell's text: a number in its column's format ``fmt`` (or its own), the rest as the
    module docstring lists."""
    if isinstance(value, (bool, np.bool_)):
        return YES if value else NO
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={format_item(v, sig)}" for k, v in value.items()) or EMPTY
    if isinstance(value, (list, tuple, set, frozenset, np.ndarray, pd.Series)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        return ", ".join(format_item(v, sig) for v in items) or EMPTY
    if is_missing(value):
        return MISSING
    if _is_number(value):
        if isinstance(value, complex):
            return str(value)
        return (fmt or number_format([value], sig))(float(value))
    return str(value)


def format_column(values: Sequence, sig: int = 3, *, sci: bool = False,
                  extra: Sequence = ()) -> list[str]:
    """Each value of one column as the reader sees it, numbers in the column's one format
    (set by ``values`` and ``extra``: the values of a column shown beside it, e.g. ours beside
    the paper's)."""
    values = list(values)
    fmt = number_format(values + list(extra), sig, sci=sci)
    return [format_value(v, fmt, sig) for v in values]


def format_pairs(means: Sequence, sds: Sequence | None, sig: int = 3, *,
                 sci: bool = False, extra: Sequence = ()) -> list[str]:
    """"mean ± sd" for each row of a metric column, the means (and ``extra`` values sharing the
    column, e.g. the paper's) setting the format, each sd printed in it too."""
    means = list(means)
    fmt = number_format(means + list(extra), sig, sci=sci)
    out = []
    for i, mean in enumerate(means):
        text = format_value(mean, fmt, sig)
        sd = None if sds is None else list(sds)[i]
        if text and _is_number(sd) and not is_missing(sd):
            text = f"{text} ± {_sd_text(float(sd), fmt)}"
        out.append(text)
    return out


def _sd_text(sd: float, fmt: NumberFormat) -> str:
    """An sd beside its mean: in the mean's format, with two significant figures in "sci"."""
    if fmt.kind == "sci":
        return NumberFormat("sci", 2, fmt.scale)(sd)
    if fmt.kind == "int":
        return number_format([sd], 2)(sd)
    return fmt(sd)
