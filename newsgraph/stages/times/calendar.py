"""Date arithmetic for TIMEX3 values: the anchor date, shifts, ISO weeks and tense choices.

Pure standard library; every function returns ``None`` instead of raising on
impossible dates (February 30, year 0, overflow), so bad input never crashes.
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^\s*(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?\s*$")

PAST, FUTURE, UNKNOWN = "past", "future", "unknown"
#: The expression modifies a noun ("the release Friday"): no verb tense applies.
NOMINAL = "nominal"
#: A weak modal ("could be located Wednesday", "would meet on Friday"): future for a month or
#: a date, but a weekday is the nearest one ("could" is also the past of "can").
MODAL = "modal"


def parse_anchor(value: str | None) -> dt.date | None:
    """The date part of an ISO 8601 date or date-time (``1998-08-07T10:35`` or ``19980807``)."""
    if not value:
        return None
    m = _ISO.match(str(value))
    if not m:
        return None
    return make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


_CLOCK = re.compile(r"^\s*\d{4}-?\d{2}-?\d{2}[T ](\d{2}):?(\d{2})")


def anchor_clock(value: str | None) -> int | None:
    """Minutes after midnight of an ISO date-time's time of day, as written (None for a date)."""
    m = _CLOCK.match(str(value or ""))
    if not m:
        return None
    h, mi = int(m.group(1)), int(m.group(2))
    return h * 60 + mi if h < 24 and mi < 60 else None


def make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        return None


def iso_day(d: dt.date) -> str:
    return d.isoformat()


def iso_week(d: dt.date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year:04d}-W{week:02d}"


def shift_days(d: dt.date, days: int) -> dt.date | None:
    try:
        return d + dt.timedelta(days=days)
    except OverflowError:
        return None


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    """(year, month) moved by ``delta`` months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def pick_year(anchor: dt.date, month: int, day: int | None, tense: str) -> int:
    """The year of a month (and day) given without one, from the anchor and the tense.

    Past tense: the latest such date on or before the anchor; future: the first on or
    after it; unknown: the nearest one.
    """
    y = anchor.year
    key_anchor = (anchor.month, anchor.day if day is not None else 0)
    key = (month, day if day is not None else 0)
    if tense == PAST:
        return y if key <= key_anchor else y - 1
    if tense == FUTURE:
        return y if key >= key_anchor else y + 1
    # Nearest: compare month distance in both directions.
    diff = (month - anchor.month) + ((day or 15) - (anchor.day if day is not None else 15)) / 31
    if diff > 6:
        return y - 1
    if diff < -6:
        return y + 1
    return y


def weekday_date(anchor: dt.date, weekday: int, tense: str) -> dt.date | None:
    """The date of an ISO ``weekday`` (1..7) near the anchor: last one, next one or nearest."""
    delta = weekday - anchor.isoweekday()
    if tense == PAST:
        if delta > 0:
            delta -= 7
    elif tense == FUTURE:
        if delta < 0:
            delta += 7
    elif tense == NOMINAL:
        # "the release Friday", "Thursday's closing price": the past one unless the next one
        # is at most two days ahead.
        if delta > 2:
            delta -= 7
        elif delta < -4:
            delta += 7
    else:
        if delta > 3:
            delta -= 7
        elif delta < -3:
            delta += 7
    return shift_days(anchor, delta)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date | None:
    """The n-th ISO weekday of a month (n = -1: the last one), e.g. Thanksgiving."""
    first = make_date(year, month, 1)
    if first is None:
        return None
    if n > 0:
        offset = (weekday - first.isoweekday()) % 7 + 7 * (n - 1)
        out = shift_days(first, offset)
        return out if out is not None and out.month == month else None
    ny, nm = shift_month(year, month, 1)
    nxt = make_date(ny, nm, 1)
    if nxt is None:
        return None
    last = nxt - dt.timedelta(days=1)
    return shift_days(last, -((last.isoweekday() - weekday) % 7))


def shift_value(anchor: dt.date, amount: int, unit: str) -> str | None:
    """The anchor moved by ``amount`` units, written at the unit's granularity.

    ``unit`` is a TIMEX3 duration letter: D, W, M, Q, Y, DE (decade), CE (century).
    """
    try:
        if unit == "D":
            d = shift_days(anchor, amount)
            return iso_day(d) if d else None
        if unit == "W":
            d = shift_days(anchor, 7 * amount)
            return iso_week(d) if d else None
        if unit == "M":
            y, m = shift_month(anchor.year, anchor.month, amount)
            return f"{y:04d}-{m:02d}" if 0 < y < 10000 else None
        if unit == "Q":
            y, m = shift_month(anchor.year, anchor.month, 3 * amount)
            return f"{y:04d}-Q{quarter_of(m)}" if 0 < y < 10000 else None
        if unit == "Y":
            y = anchor.year + amount
            return f"{y:04d}" if 0 < y < 10000 else None
        if unit == "DE":
            y = anchor.year + 10 * amount
            return f"{y // 10:03d}" if 0 < y < 10000 else None
        if unit == "CE":
            y = anchor.year + 100 * amount
            return f"{y // 100:02d}" if 0 < y < 10000 else None
    except OverflowError:
        return None
    return None


def duration_value(amount: float | None, letter: str, is_time: bool) -> str:
    """A TIMEX3 duration: P3D, PT2H, PXW; decades and centuries become years (P20Y)."""
    if letter == "WE":
        letter, amount = "D", None if amount is None else amount * 2
    elif letter == "W2":
        letter, amount = "W", None if amount is None else amount * 2
    elif letter == "DE":
        letter, amount = "Y", None if amount is None else amount * 10
    elif letter == "CE":
        letter, amount = "Y", None if amount is None else amount * 100
    if amount is None:
        number = "X"
    elif amount == int(amount):
        number = str(int(amount))
    else:
        number = f"{amount:g}"
    return f"P{'T' if is_time else ''}{number}{letter}"
