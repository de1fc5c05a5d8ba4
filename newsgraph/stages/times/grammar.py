"""The time-expression grammar: compiled regexes over the text, and TIMEX3 normalisation.

Recognition is pattern-based (spaCy's DATE/TIME spans often differ from TimeML's
extents: "the past two months", "third-quarter", "Friday morning"). Each rule is one
regex built once from the lexicon in ``newsgraph/data/times/lexicon.toml``; all rules
run over the text with ``finditer`` (linear, C speed), overlapping candidates are
resolved leftmost-longest, and the survivors are normalised in text order so that
anaphoric expressions ("the quarter", "a year earlier") can use the last explicit one.

Normalisation needs only the anchor (publication) date and, for weekdays, months and
similar, the tense of the governing verb, which the caller supplies as a function.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ...errors import ConfigError
from . import calendar as C

Tense = Callable[[int, int], str]

#: Words that may follow a unit of time ("a second later", "for a minute or two"); any other word
#: after "a second" makes it the ordinal ("a second allegation").
_AFTER_UNIT = frozenset(
    {
        "later", "earlier", "ago", "before", "after", "or", "and", "to", "of", "in", "on", "at",
        "when", "while", "that", "the", "as", "than",
    }
)  # fmt: skip


@dataclass
class Found:
    """One recognised expression: offsets into the text, TIMEX3 type and value."""

    start: int
    end: int
    type: str
    value: str | None
    relative: bool  # the value depends on the anchor date
    #: A clock time with no day of its own ("at 10 p.m."): dated by its sentence or the anchor.
    bare_clock: bool = False


#: Words that make "the ... quarter" one already reported (so not after publication).
_REPORTED_QUARTER = ("latest", "most recent", "recent", "previous", "prior")


def _alt(words: list[str]) -> str:
    """A regex alternation, longest first, spaces matching any whitespace."""
    parts = sorted({w for w in words}, key=len, reverse=True)
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in parts)


@lru_cache(maxsize=1)
def lexicon() -> dict[str, Any]:
    """The shipped lexicon (loaded once per process)."""
    path = resources.files("newsgraph") / "data" / "times" / "lexicon.toml"
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err


class Grammar:
    """The compiled rules and the lexicon maps; build once, use for every article."""

    def __init__(self, lex: dict[str, Any] | None = None) -> None:
        lex = lex or lexicon()
        self.months: dict[str, int] = {k.lower(): int(v) for k, v in lex["months"].items()}
        self.weekdays: dict[str, int] = {k.lower(): int(v) for k, v in lex["weekdays"].items()}
        self.numbers: dict[str, float] = {k.lower(): float(v) for k, v in lex["numbers"].items()}
        self.vague: set[str] = {w.lower() for w in lex["vague"]["words"]}
        self.ordinals: dict[str, int] = {k.lower(): int(v) for k, v in lex["ordinals"].items()}
        self.units: dict[str, tuple[str, bool]] = {
            k.lower(): (str(v[0]), bool(v[1])) for k, v in lex["units"].items()
        }
        self.pods: dict[str, str] = {k.lower(): str(v) for k, v in lex["parts_of_day"].items()}
        self.seasons: dict[str, str] = {k.lower(): str(v) for k, v in lex["seasons"].items()}
        self.fixed: dict[str, str] = {_norm(k): str(v) for k, v in lex["fixed"].items()}
        self.sets: dict[str, str] = {_norm(k): str(v) for k, v in lex["sets"].items()}
        self.holidays: dict[str, Any] = {_norm(k): v for k, v in lex["holidays"].items()}
        self.rules = self._compile(lex)

    # ------------------------------------------------------------------ regexes
    def _compile(self, lex: dict[str, Any]) -> list[tuple[str, re.Pattern[str]]]:
        full = {m.lower() for m in _cal.month_name if m}
        month_full = _alt([m for m in lex["months"] if m.lower() in full])
        month_abbr = _alt([m for m in lex["months"] if m.lower() not in full])
        # Months and weekdays keep their capital letter ("may", "march", "sun" are words).
        month = rf"(?-i:(?P<month>{month_full}|(?:{month_abbr})\.?))"
        mfull = rf"(?-i:(?P<month>{month_full}))"
        wd_full = _alt([w for w in lex["weekdays"] if len(w) > 4])
        wday = rf"(?-i:(?P<wd>{wd_full}))"
        wday_opt = rf"(?:(?-i:{wd_full}),?\s+)?"
        num_words = _alt([k for k in lex["numbers"]])
        num = rf"(?P<num>\d{{1,3}}(?:\.\d+)?|{num_words}|{_alt(list(lex['vague']['words']))})"
        unit = rf"(?P<unit>{_alt(list(lex['units']))})(?P<plural>s)?"
        approx = (
            r"(?P<approx>(?:about|around|nearly|almost|roughly|approximately|more\s+than|less\s+than|"
            r"at\s+least|at\s+most|over|under|up\s+to|only|just)\s+)?"
        )
        season = _alt(list(lex["seasons"]))
        ordinal = _alt(list(lex["ordinals"]))
        mod = r"early|late|mid|the\s+end\s+of|the\s+beginning\s+of|the\s+middle\s+of|the\s+start\s+of"
        hol = "|".join(f"(?-i:{p})" for p in _alt(list(lex["holidays"])).split("|"))
        rules = {
            "time": rf"\b(?P<h>\d{{1,2}})(?::(?P<mi>\d{{2}}))?\s*(?P<ap>[ap]\.?\s?m\b\.?|o'clock)"
            rf"(?:\s+(?P<tz>EST|EDT|CST|CDT|PST|PDT|GMT|UTC|ET)\b)?"
            rf"(?:,?\s+(?:on\s+)?(?:{wday}|(?P<rd>today|yesterday|tomorrow)\b"
            rf"|{month}\s+(?P<d>\d{{1,2}})\b))?",
            "noon": rf"\b(?P<n>noon|midnight|midday)"
            rf"(?:\s+(?:on\s+)?(?:{wday}|(?P<rd>today|yesterday|tomorrow)))?\b",
            "date_mdy": rf"{wday_opt}\b{month}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b"
            rf"(?:,?\s+(?P<y>\d{{4}})\b)?",
            "date_dmy": rf"{wday_opt}\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{month}"
            rf"(?:,?\s+(?P<y>\d{{4}})\b)?",
            "date_iso": r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b",
            "date_num": r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])",
            "month_year": rf"(?:(?P<mod>{mod})[\s-]+)?\b{month},?\s+(?:of\s+)?(?P<y>\d{{4}})\b",
            "month_rel_year": rf"\b{mfull}\s+(?:of\s+)?(?P<rel>last|this|next)\s+year\b",
            "month": rf"(?:\b(?P<mod>{mod})[\s-]+)?"
            rf"(?:\b(?P<rel>last|next|this|this\s+past|this\s+coming)\s+)?\b{mfull}\b",
            "weekday": rf"(?:\b(?P<rel>last|next|this|this\s+past|this\s+coming|early|late|the\s+previous"
            rf"|the\s+preceding)\s+)?\b{wday}"
            rf"(?P<pl>s)?(?:\s+(?P<pod>morning|afternoon|evening|night))?\b",
            "relday": r"\b(?P<w>today|tonight|yesterday|tomorrow)"
            r"(?:\s+(?P<pod>morning|afternoon|evening|night))?\b",
            "relpod": r"\b(?P<rel>this|last|early\s+this|late\s+this|later\s+this|earlier\s+this)\s+"
            r"(?P<pod>morning|afternoon|evening|night)\b",
            "relunit": rf"(?:\b(?P<mod>earlier|later|early|late|mid|the\s+end\s+of|the\s+beginning\s+of|"
            rf"the\s+start\s+of|the\s+middle\s+of|the\s+rest\s+of)[\s-]+)?"
            rf"\b(?P<rel>this|last|next|previous|coming|the\s+current|the\s+previous|the\s+following|"
            rf"the\s+past|the\s+last)"
            rf"\s+(?:fiscal\s+)?(?P<unit>week|weekend|month|year|quarter|decade|century|{season})\b",
            "duration": rf"(?:\b(?P<the>the)\s+)?(?:\b(?P<dir>past|last|next|previous|first|coming|final|"
            rf"remaining|latest|following|preceding)\s+)?\b{approx}\b{num}(?:\s+and\s+a\s+half)?[\s-]+"
            rf"(?:(?:more|fewer|additional|straight|consecutive)\s+)?{unit}\b(?P<adj>-long|-old)?"
            rf"(?P<ago>(?:\s+or\s+so)?\s+(?:ago|old))?",
            "bare_plural": r"\b(?:for|in|take|took|over|after)\s+"
            r"(?P<unit>days|weeks|months|years|decades|hours)\b"
            r"(?!\s+(?:of|to|ago|before|after|earlier|later))",
            "year": rf"(?:\b(?P<mod>fiscal|calendar|{mod}|the\s+year|the\s+summer\s+of|the\s+spring\s+of"
            rf"|the\s+fall\s+of|the\s+winter\s+of)[\s-]+)?(?<![\d$.,#])\b(?P<y>1[6-9]\d\d|20\d\d)\b"
            rf"(?![.,]\d|%|-\d|\s*(?:percent|people|persons|troops|men|women|acres|tons|shares|cars))",
            # Years said in words, as in broadcast transcripts ("nineteen ninety-six", "the
            # winter of nineteen ninety-four", "the year two thousand").
            "spelled_year": rf"(?:\b(?P<mod>the\s+year|the\s+(?:{season})\s+of)\s+)?"
            rf"\b(?:(?P<c>nineteen|eighteen)[\s-]+(?P<t>{_TENS})(?:[\s-]+(?P<u>{_UNITS}))?"
            rf"|(?<=year\s)two\s+thousand(?:\s+and)?(?:[\s-]+(?P<u2>{_UNITS}))?)\b"
            rf"(?![\s-]+(?:hundred|thousand|million|percent|people|dollars))",
            # Ordinal centuries: "the 20th century" is 19 (TIMEX3 writes the first two digits).
            "century": r"\b(?P<c>\d{1,2})(?:st|nd|rd|th)[\s-]+century\b(?![\s-]+(?:fox|club|plaza))",
            "decade": r"(?:\bthe\s+)?(?:\b(?P<mod>early|late|mid)[\s-]+)?"
            r"(?:\b(?P<y4>1[6-9]\d0|20\d0)|'(?P<y2>\d0))s\b",
            "quarter": rf"(?:\b(?P<det>the\s+year-ago|the\s+year-earlier|the|this\s+year's|last\s+year's"
            rf"|next\s+year's|(?P<yq>\d{{4}})'s)\s+)?"
            rf"(?:\b(?:fiscal|calendar)\s+)?\b(?P<ord>{ordinal})[\s-]+(?:fiscal[\s-]+)?"
            rf"(?P<kind>quarter|half)\b"
            rf"(?:\s+(?:of\s+)?(?:fiscal\s+)?(?P<y>\d{{4}})\b)?",
            "anaquarter": r"\bthe\s+(?:(?P<q>latest|current|fiscal|same|year-earlier|year-ago|comparable|"
            r"most\s+recent|recent|previous|prior)\s+)+(?P<kind>quarter|period)\b|\bthe\s+quarter\b",
            "year_earlier": r"\b(?P<w>year-earlier|year-ago|a\s+year\s+earlier|a\s+year\s+ago|"
            r"the\s+year\s+before|the\s+previous\s+year|the\s+prior\s+year)\b",
            "season": rf"(?:\b(?P<mod>early|late|mid)[\s-]+)?(?:\b(?P<rel>this|last|next|this\s+past|"
            rf"this\s+coming)\s+)?\b(?P<s>{season})\b(?:\s+(?:of\s+)?(?P<y>\d{{4}})\b)?",
            "nine_months": r"\bthe\s+(?:first\s+|latest\s+|past\s+|year-earlier\s+)?"
            r"(?P<num>six|nine)\s+months\b",
            "fixed": rf"\b(?:{_alt(list(lex['fixed']))})\b",
            "set": rf"\b(?:{_alt(list(lex['sets']))})\b",
            "set_every": rf"\b(?:every|each)\s+(?:{wday}|{mfull})\b",
            "holiday": rf"\b(?:{hol})(?:,?\s+(?P<y>\d{{4}}))?\b",
            # The year last named ("in 1988 ... later that year"); "the full year" of a report.
            "that_year": r"\b(?:(?P<mod>earlier|later)\s+)?(?:in\s+)?that\s+(?:same\s+)?year\b",
            "full_year": r"\bthe\s+full\s+(?:fiscal\s+)?year\b",
            # "For the year, volume was flat", "the first nine months of the year": the
            # publication year, as business news uses it; "the year ended Aug. 31": a year's
            # span. Not "Person of the Year", "the year-ago quarter", "the year before".
            "the_year": r"\bthe\s+(?-i:year)\b(?![-'\u2019]|\s+(?:ago|before|earlier|later|after|of|in|that"
            r"|when|nineteen|eighteen|two|\d))(?P<span>\s+end(?:ed|ing)\b)?",
            # "by year-end", "since year-end": the end of this year or, looking back, the last.
            "year_end": r"\b(?P<since>since\s+)?(?:the\s+)?year[-\s]end\b"
            r"(?![-\s](?:net|results|figures|bonus|report))",
            # The day last named ("on Oct. 23 ... Earlier that day", "the next morning").
            "that_day": r"\b(?:(?P<mod>earlier|later)\s+)?(?:that(?:\s+same)?|the\s+same)\s+"
            r"(?P<pod>day|morning|afternoon|evening|night)\b",
            "next_day": r"\bthe\s+(?P<dir>next|following|previous|preceding)\s+"
            r"(?P<pod>day|morning|afternoon|evening|night)\b",
            "weekend": r"\b(?P<rel>the|this|last|next|this\s+past|this\s+coming)\s+weekend\b",
        }
        # Every expression contains a digit or one of these words: the rules only run in
        # windows around them (most of a news text has none, and the rules are costlier
        # than this one scan).
        trig_words = (
            list(lex["months"])
            + list(lex["weekdays"])
            + list(lex["units"])
            + list(lex["seasons"])
            + list(lex["parts_of_day"])
            + list(lex["holidays"])
            + list(lex["fixed"])
            + list(lex["sets"])
        )
        self.trigger = re.compile(
            rf"\d|\b(?:{_alt(trig_words)}|today|tonight|yesterday|tomorrow|noon|midnight|centuries"
            rf"|nineteen|eighteen|thousand)s?\b",
            re.IGNORECASE,
        )
        return [(name, re.compile(rx, re.IGNORECASE)) for name, rx in rules.items()]

    def windows(self, text: str, margin: int = 60) -> list[tuple[int, int]]:
        """Merged stretches of ``text`` around trigger words, edges on whitespace."""
        out: list[tuple[int, int]] = []
        n = len(text)
        for m in self.trigger.finditer(text):
            a = max(0, m.start() - margin)
            b = min(n, m.end() + margin)
            if out and a <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], b))
            else:
                out.append((a, b))
        snapped = []
        for a, b in out:
            # Move the edges out to whitespace so no word is cut in two.
            while a > 0 and not text[a - 1].isspace():
                a -= 1
            while b < n and not text[b].isspace():
                b += 1
            snapped.append((a, b))
        return snapped

    # --------------------------------------------------------------- recognition
    def find(self, text: str, anchor: dt.date | None, tense: Tense) -> list[Found]:
        """Every time expression in ``text``, normalised against ``anchor``."""
        cands: list[tuple[int, int, int, str, re.Match[str]]] = []
        seen: set[tuple[int, int, int]] = set()
        for a, b in self.windows(text):
            for order, (name, rx) in enumerate(self.rules):
                for m in rx.finditer(text, a, b):
                    key = (m.start(), m.end(), order)
                    if m.end() > m.start() and key not in seen:
                        seen.add(key)
                        cands.append((m.start(), -(m.end() - m.start()), order, name, m))
        # Longest first, then leftmost: "the past two months" beats "in the past".
        cands.sort(key=lambda c: (c[1], c[0], c[2]))
        taken: list[tuple[int, int, str, re.Match[str]]] = []
        occupied = bytearray(len(text) + 1)
        for start, neg, _order, name, m in cands:
            end = start - neg
            if any(occupied[start:end]):
                continue
            occupied[start:end] = b"\x01" * (end - start)
            taken.append((start, end, name, m))
        taken.sort()
        out: list[Found] = []
        state = _State()
        for _start, _end, name, m in taken:
            try:
                found = getattr(self, "_" + name)(m, anchor, tense, state, text)
            except (ValueError, OverflowError, KeyError):
                found = None
            if found is None:
                continue
            # Trim whitespace and trailing punctuation the regex may have taken.
            s, e = found.start, found.end
            while s < e and text[s].isspace():
                s += 1
            while e > s and (text[e - 1].isspace() or text[e - 1] in ",;"):
                e -= 1
            if e <= s:
                continue
            found.start, found.end = s, e
            out.append(found)
            if found.value and name in _NOTED:
                state.note(found.value)
            if found.value and name in _NOTED_DAY:
                state.note_day(found.value)
        _date_clock_times(out, text)
        return out

    # ------------------------------------------------------------ normalisation
    def _rel(self, m: re.Match[str], value: str | None, type_: str = "DATE", relative: bool = True) -> Found:
        return Found(m.start(), m.end(), type_, value, relative)

    def _time(self, m: re.Match[str], anchor, tense, state, text) -> Found | None:  # type: ignore[no-untyped-def]
        h = int(m.group("h"))
        mi = int(m.group("mi") or 0)
        ap = m.group("ap").lower().replace(".", "").replace(" ", "")
        if h > 12 or mi > 59 or (ap == "o'clock" and h == 0):
            return None
        if ap.startswith("p") and h < 12:
            h += 12
        elif ap.startswith("a") and h == 12:
            h = 0
        day, relative = self._day_of(m, anchor, tense, text)
        hm = f"T{h:02d}:{mi:02d}"
        bare = not any(m.groupdict().get(g) for g in ("wd", "rd", "month"))
        return Found(m.start(), m.end(), "TIME", day + hm if day else None, relative, bare_clock=bare)

    def _day_of(
        self, m: re.Match[str], anchor: dt.date | None, tense: Tense, text: str = ""
    ) -> tuple[str | None, bool]:
        """The date a clock time is on: a weekday, today/yesterday, a month-day or the anchor."""
        gd = m.groupdict()
        if anchor is None:
            return None, True
        if gd.get("wd"):
            t = C.FUTURE if _deadline(text, m.start()) else _weekday_tense(tense(m.start(), m.end()))
            d = C.weekday_date(anchor, self.weekdays[gd["wd"].lower()], t)
            return (d.isoformat() if d else None), True
        if gd.get("rd"):
            shift = {"today": 0, "yesterday": -1, "tomorrow": 1}[gd["rd"].lower()]
            d = C.shift_days(anchor, shift)
            return (d.isoformat() if d else None), True
        if gd.get("month") and gd.get("d"):
            month = self.months[gd["month"].rstrip(".").lower()]
            day = int(gd["d"])
            y = C.pick_year(anchor, month, day, C.UNKNOWN)
            d = C.make_date(y, month, day)
            return (d.isoformat() if d else None), True
        return anchor.isoformat(), True

    def _noon(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        day, relative = self._day_of(m, anchor, tense, text)
        hm = "T24:00" if m.group("n").lower() == "midnight" else "T12:00"
        bare = not any(m.groupdict().get(g) for g in ("wd", "rd"))
        return Found(m.start(), m.end(), "TIME", day + hm if day else None, relative, bare_clock=bare)

    def _ymd(self, m: re.Match[str], y: int | None, month: int, day: int, anchor, tense) -> Found | None:  # type: ignore[no-untyped-def]
        if not 1 <= day <= 31:
            return None
        if y is None:
            if anchor is None:
                # Month and day known, year not: TIMEX3 writes the year as XXXX.
                if C.make_date(2000, month, day) is None:
                    return Found(m.start(), m.end(), "DATE", None, True)
                return Found(m.start(), m.end(), "DATE", f"XXXX-{month:02d}-{day:02d}", False)
            # Month-day dates: the nearest one, unless that is more than four months away and
            # the verb's tense points the other way ("was last seen Nov. 3" in May).
            y = C.pick_year(anchor, month, day, C.UNKNOWN)
            t = _month_tense(tense(m.start(), m.end()))
            if t in (C.PAST, C.FUTURE):
                y2 = C.pick_year(anchor, month, day, t)
                near = C.make_date(y, month, day)
                if y2 != y and near is not None and abs((near - anchor).days) > 120:
                    y = y2
            relative = True
        else:
            relative = False
        d = C.make_date(y, month, day)
        return Found(m.start(), m.end(), "DATE", d.isoformat() if d else None, relative)

    def _date_mdy(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        month = self.months[m.group("month").rstrip(".").lower()]
        return self._ymd(m, _int(m.group("y")), month, int(m.group("d")), anchor, tense)

    _date_dmy = _date_mdy

    def _date_iso(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        return self._ymd(m, int(m.group("y")), int(m.group("m")), int(m.group("d")), anchor, tense)

    def _date_num(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        y = int(m.group("y"))
        if y < 100:
            y += 1900 if y >= 50 else 2000
        month, day = int(m.group("m")), int(m.group("d"))
        if month > 12 and day <= 12:  # day/month/year
            month, day = day, month
        return self._ymd(m, y, month, day, anchor, tense)

    def _month_year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        month = self.months[m.group("month").rstrip(".").lower()]
        return self._rel(m, f"{int(m.group('y')):04d}-{month:02d}", relative=False)

    def _month_rel_year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        """ "June last year", "January this year"."""
        if anchor is None:
            return self._rel(m, None)
        month = self.months[m.group("month").lower()]
        y = anchor.year + {"last": -1, "this": 0, "next": 1}[m.group("rel").lower()]
        return self._rel(m, f"{y:04d}-{month:02d}")

    def _month(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        name = m.group("month")
        rel = (m.group("rel") or "").lower().split()
        if not rel and not m.group("mod") and name in ("May", "March"):
            # Bare "May"/"March" are usually a modal or a noun: need a preposition before.
            before = text[max(0, m.start() - 12) : m.start()].lower().split()
            if not before or before[-1] not in (
                "in",
                "since",
                "until",
                "till",
                "by",
                "during",
                "from",
                "to",
                "of",
                "through",
                "before",
                "after",
                "early",
                "late",
                "mid",
            ):
                return None
        month = self.months[name.lower()]
        if anchor is None:
            return self._rel(m, None)
        if "last" in rel or "past" in rel:
            t = C.PAST
            y = anchor.year if month < anchor.month else anchor.year - 1
        elif "next" in rel or "coming" in rel:
            y = anchor.year if month > anchor.month else anchor.year + 1
            t = C.FUTURE
        elif "this" in rel:
            y, t = anchor.year, C.UNKNOWN
        else:
            t = _month_tense(tense(m.start(), m.end()))
            y = C.pick_year(anchor, month, None, C.UNKNOWN)
            if t == C.UNKNOWN:
                # No tense to go by: news looks back, so the month is one of the last seven or
                # the next four ("from $29.75 in March" in an October story is this March).
                diff = month - anchor.month
                y = anchor.year - 1 if diff > 4 else anchor.year + 1 if diff < -7 else anchor.year
            if t != C.UNKNOWN:
                y2 = C.pick_year(anchor, month, None, t)
                if y2 != y and abs((y * 12 + month) - (anchor.year * 12 + anchor.month)) > 1:
                    y = y2
        return self._rel(m, f"{y:04d}-{month:02d}")

    def _weekday(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        wd = self.weekdays[m.group("wd").lower()]
        pod = (m.group("pod") or "").lower()
        if m.group("pl"):
            suffix = f"T{self.pods[pod]}" if pod else ""
            return self._rel(m, f"XXXX-WXX-{wd}{suffix}", "SET", relative=False)
        if anchor is None:
            return self._rel(m, None, "TIME" if pod else "DATE")
        rel = " ".join((m.group("rel") or "").lower().split())
        if rel in ("the previous", "the preceding"):
            # "down from the previous Friday": the one before the day last named (or before
            # the publication date).
            ref = state.day or anchor
            d = C.weekday_date(ref, wd, C.PAST)
            if d == ref:
                d = C.shift_days(ref, -7)
        elif rel == "last":
            d = C.weekday_date(anchor, wd, C.PAST)
            if d == anchor:
                d = C.shift_days(anchor, -7)
        elif rel == "next":
            d = C.weekday_date(anchor, wd, C.FUTURE)
            if d == anchor:
                d = C.shift_days(anchor, 7)
        elif "past" in rel:
            d = C.weekday_date(anchor, wd, C.PAST)
        elif "coming" in rel:
            d = C.weekday_date(anchor, wd, C.FUTURE)
        elif _deadline(text, m.start()):
            d = C.weekday_date(anchor, wd, C.FUTURE)  # "postponed until Tuesday morning"
        else:
            d = C.weekday_date(anchor, wd, _weekday_tense(tense(m.start(), m.end())))
        if d is None:
            return self._rel(m, None)
        if pod:
            return self._rel(m, f"{d.isoformat()}T{self.pods[pod]}", "TIME")
        return self._rel(m, d.isoformat())

    def _relday(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        w = m.group("w").lower()
        pod = (m.group("pod") or "").lower()
        if anchor is None:
            return self._rel(m, None, "TIME" if pod or w == "tonight" else "DATE")
        d = C.shift_days(anchor, {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}[w])
        if d is None:
            return self._rel(m, None)
        if w == "tonight":
            return self._rel(m, f"{d.isoformat()}TNI", "TIME")
        if pod:
            return self._rel(m, f"{d.isoformat()}T{self.pods[pod]}", "TIME")
        return self._rel(m, d.isoformat())

    def _relpod(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        pod = self.pods[m.group("pod").lower()]
        if anchor is None:
            return self._rel(m, None, "TIME")
        rel = m.group("rel").lower()
        d = C.shift_days(anchor, -1) if rel == "last" else anchor
        return self._rel(m, f"{d.isoformat()}T{pod}" if d else None, "TIME")

    def _relunit(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        rel = " ".join(m.group("rel").lower().split())
        unit = m.group("unit").lower()
        if anchor is None:
            return self._rel(m, None)
        step = {
            "last": -1,
            "previous": -1,
            "the previous": -1,
            "next": 1,
            "coming": 1,
            "the following": 1,
        }.get(rel, 0)
        if unit in self.seasons:
            code = self.seasons[unit]
            start_month = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
            if step < 0:
                y = anchor.year if start_month < anchor.month else anchor.year - 1
            elif step > 0:
                y = anchor.year if start_month > anchor.month else anchor.year + 1
            else:
                y = anchor.year
            return self._rel(m, f"{y:04d}-{code}")
        if rel in ("the following", "the previous") and unit in ("week", "month", "year"):
            # "The following month", "the previous week": after or before the one last named
            # ("In March ... The following month" is April), else the publication date's.
            ref = state.day
            if unit == "month" and state.month is not None:
                ref = C.make_date(state.month[0], state.month[1], 1)
            elif unit == "year" and state.year is not None:
                ref = C.make_date(state.year, 1, 1)
            if ref is not None:
                letter = {"week": "W", "month": "M", "year": "Y"}[unit]
                return self._rel(m, C.shift_value(ref, step, letter))
        if unit == "year" and rel == "the past" and not m.group("mod"):
            step = -1  # "over the past year": TimeBank dates it to the year before publication
        if unit == "weekend":
            d = C.shift_days(anchor, 7 * step)
            return self._rel(m, C.iso_week(d) + "-WE" if d else None)
        letter = {"week": "W", "month": "M", "year": "Y", "quarter": "Q", "decade": "DE", "century": "CE"}[
            unit
        ]
        return self._rel(m, C.shift_value(anchor, step, letter))

    def _duration(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        word = " ".join(m.group("num").lower().split())
        unit = m.group("unit").lower()
        letter, is_time = self.units[unit]
        amount: float | None
        if word in self.vague:
            amount = None
        elif word in self.numbers:
            amount = self.numbers[word]
        else:
            amount = float(word)
            if amount > 10000:
                return None
        plural = bool(m.group("plural"))
        if amount is not None and amount == 1 and plural and word not in ("one",):
            return None
        if unit == "second" and not plural and word in ("a", "one", "the") and m.group("ago") is None:
            # "a second allegation", "one second-hand car": the ordinal, not the unit. The unit
            # reads "for a second", "a second later": no word may follow but a preposition.
            after = text[m.end() : m.end() + 20].split()
            if after and after[0][0].isalpha() and after[0].lower() not in _AFTER_UNIT:
                return None
            if text[m.end() : m.end() + 1] == "-":
                return None
        if word in ("a", "an") and m.group("adj") is None and m.group("ago") is None:
            # "a year" alone is a duration only when nothing suggests a rate ("$5 a year").
            before = text[max(0, m.start() - 12) : m.start()]
            if re.search(r"(\d|times|once|twice|percent|%)\s*$", before):
                return None
        ago = (m.group("ago") or "").lower().split()[-1:]  # "a week or so ago": the last word
        ago = ago[0] if ago else ""
        if ago == "old" or (m.group("adj") or "").lower() == "-old":
            return None  # ages ("a 6-year-old", "52 years old") are not time expressions in TimeML
        if letter == "Q" and plural and "-" in m.group(0):
            return None  # "three-quarters" is a fraction
        if letter == "Q" and re.match(
            r"\s+of\s+(?:the|its|their|his|her|our|all|those|these|total|us|them)\b",
            text[m.end() : m.end() + 20],
            re.I,
        ):
            return None  # "more than a quarter of the market" is a fraction
        decades = bool(ago) and letter == "DE" and amount is not None and amount == int(amount)
        if decades and amount is not None:
            # "a decade ago", "two decades earlier": a year, as "ten years ago" is.
            letter, amount = "Y", amount * 10
        hedged = (m.group("approx") or "").strip().lower() not in ("", "only", "just")
        if ago and hedged and (letter != "Y" or decades):
            # TimeBank annotates "about two weeks ago" as the duration (P2W); "almost four years
            # ago" is a year, as for an exact number.
            return self._rel(m, C.duration_value(amount, letter, is_time), "DURATION", relative=False)
        if ago:
            if anchor is None or amount is None or amount != int(amount) or is_time:
                return self._rel(
                    m, "PAST_REF" if ago in ("ago", "earlier", "before") and amount is None else None
                )
            n = int(amount)
            if ago in ("ago", "earlier", "before"):
                n = -n
            ref = anchor
            if letter == "Y" and abs(n) == 1 and (ago != "ago" or word in ("a", "one")):
                # "a year earlier", and in a quarterly report "a year ago": the quarter named
                # last, a year back (the publication date when no quarter was named).
                prior = state.shift_year(n)
                if prior:
                    return self._rel(m, prior)
            return self._rel(m, C.shift_value(ref, n, {"WE": "W", "W2": "W"}.get(letter, letter)))
        return self._rel(m, C.duration_value(amount, letter, is_time), "DURATION", relative=False)

    def _bare_plural(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        unit = m.group("unit").lower()[:-1]
        letter, is_time = self.units[unit]
        return Found(m.start("unit"), m.end(), "DURATION", C.duration_value(None, letter, is_time), False)

    def _year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        y = int(m.group("y"))
        mod = " ".join((m.group("mod") or "").lower().split())
        if mod.startswith("the ") and mod.endswith(" of") and mod.split()[1] in self.seasons:
            return self._rel(m, f"{y:04d}-{self.seasons[mod.split()[1]]}", relative=False)
        return self._rel(m, f"{y:04d}", relative=False)

    def _spelled_year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if m.group("c"):
            y = (18 if m.group("c").lower() == "eighteen" else 19) * 100
            y += _TENS_VALUE[m.group("t").lower()] + _UNITS_VALUE.get((m.group("u") or "").lower(), 0)
        else:
            y = 2000 + _UNITS_VALUE.get((m.group("u2") or "").lower(), 0)
        mod = " ".join((m.group("mod") or "").lower().split())
        if mod.startswith("the ") and mod.endswith(" of") and mod.split()[1] in self.seasons:
            return self._rel(m, f"{y:04d}-{self.seasons[mod.split()[1]]}", relative=False)
        return self._rel(m, f"{y:04d}", relative=False)

    def _that_year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if state.year is None:
            return None  # no year named before: the system cannot tell which
        start = m.start() if m.group("mod") else m.start() + m.group(0).lower().index("that")
        return Found(start, m.end(), "DATE", f"{state.year:04d}", False)

    def _full_year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        return self._rel(m, f"{anchor.year:04d}" if anchor is not None else None)

    def _the_year(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if m.group("span"):
            return Found(m.start(), m.start("span"), "DURATION", "P1Y", False)
        return self._rel(m, f"{anchor.year:04d}" if anchor is not None else None)

    def _year_end(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        start = m.end("since") if m.group("since") else m.start()
        if tense(start, m.end()) == C.NOMINAL:
            return None  # "year-end net": a modifier, not a date
        if anchor is None:
            return Found(start, m.end(), "DATE", None, True)
        back = bool(m.group("since")) or tense(start, m.end()) == C.PAST
        year = anchor.year - 1 if back and (anchor.month, anchor.day) != (12, 31) else anchor.year
        return Found(start, m.end(), "DATE", f"{year:04d}-12-31", True)

    def _that_day(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        """ "that day", "earlier that day", "the same morning": the day last named (nothing when
        none was named: the system cannot tell which)."""
        if state.day is None:
            return None
        return self._day_pod(m, state.day, m.group("pod").lower())

    def _next_day(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        """ "the next day", "the following morning", "the previous day": a day after or before
        the day last named, not the publication date."""
        if state.day is None:
            return None
        step = 1 if m.group("dir").lower() in ("next", "following") else -1
        d = C.shift_days(state.day, step)
        return self._day_pod(m, d, m.group("pod").lower()) if d is not None else None

    def _day_pod(self, m: re.Match[str], d: dt.date, pod: str) -> Found:
        if pod == "day":
            return Found(m.start(), m.end(), "DATE", d.isoformat(), True)
        return Found(m.start(), m.end(), "TIME", f"{d.isoformat()}T{self.pods[pod]}", True)

    def _century(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        c = int(m.group("c"))
        if not 1 <= c <= 22:
            return None
        return self._rel(m, f"{c - 1:02d}", relative=False)

    def _decade(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if m.group("y4"):
            return self._rel(m, m.group("y4")[:3], relative=False)
        y2 = int(m.group("y2"))
        century = 19 if anchor is None or y2 > anchor.year % 100 else anchor.year // 100
        return self._rel(m, f"{century:02d}{y2 // 10}", relative=False)

    def _quarter(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        n = self.ordinals[m.group("ord").lower()]
        kind = m.group("kind").lower()
        if m.group("ord").lower() == "last" and not m.group("y"):
            return None  # "the last quarter" is the latest one; "the last half of the '80s"
        if kind == "half" and m.group("ord").lower() == "last":
            n = 2  # "the last half of 1989"
        if kind == "half" and n > 2:
            return None
        code = f"Q{n}" if kind == "quarter" else f"H{n}"
        det = (m.group("det") or "").lower()
        y: int | None = None
        relative = True
        if m.group("y"):
            y, relative = int(m.group("y")), False
        elif m.group("yq"):
            y, relative = int(m.group("yq")), False
        elif anchor is not None:
            if det.startswith("last year"):
                y = anchor.year - 1
            elif det.startswith("the year-"):
                # "the year-ago third quarter": that quarter a year before the one it would be.
                cur = C.quarter_of(anchor.month) if kind == "quarter" else (1 if anchor.month <= 6 else 2)
                y = (anchor.year if n <= cur else anchor.year - 1) - 1
            elif det.startswith("next year"):
                y = anchor.year + 1
            elif det.startswith("this year"):
                y = anchor.year
            else:
                cur = C.quarter_of(anchor.month) if kind == "quarter" else (1 if anchor.month <= 6 else 2)
                t = tense(m.start(), m.end())
                y = anchor.year if n <= cur or t in (C.FUTURE, C.MODAL) else anchor.year - 1
        if y is None:
            return self._rel(m, None)
        return self._rel(m, f"{y:04d}-{code}", relative=relative)

    def _anaquarter(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        words = m.group(0).lower()
        back = "year-earlier" in words or "year-ago" in words
        if anchor is None:
            return self._rel(m, None)
        last_done = C.shift_value(anchor, -1, "Q")
        ref = state.quarter or last_done
        if ref is None:
            return self._rel(m, None)
        if last_done and ref > last_done and any(w in words for w in _REPORTED_QUARTER):
            # "the latest quarter" has been reported: not the coming quarter named before it
            # ("the impact on fourth-quarter results ... In the latest quarter" in October).
            ref = last_done
        if back:
            y, q = ref.split("-")
            ref = f"{int(y) - 1:04d}-{q}"
        return self._rel(m, ref)

    def _year_earlier(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if anchor is None:
            return self._rel(m, None)
        words = m.group("w").lower()
        if "ago" in words and "year-ago" not in words and not state.quarter:
            return self._rel(m, C.shift_value(anchor, -1, "Y"))
        prior = state.shift_year(-1)
        return self._rel(m, prior or C.shift_value(anchor, -1, "Y"))

    def _season(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        code = self.seasons[m.group("s").lower()]
        rel = (m.group("rel") or "").lower()
        if m.group("y"):
            return self._rel(m, f"{int(m.group('y')):04d}-{code}", relative=False)
        if not rel:
            return None  # "fall", "spring" alone are too often verbs and nouns
        if anchor is None:
            return self._rel(m, None)
        start_month = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}[code]
        if rel == "last" or "past" in rel:
            y = anchor.year if start_month < anchor.month else anchor.year - 1
        elif rel == "next" or "coming" in rel:
            y = anchor.year if start_month > anchor.month else anchor.year + 1
        else:
            y = anchor.year
        return self._rel(m, f"{y:04d}-{code}")

    def _nine_months(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        n = {"six": 6, "nine": 9}[m.group("num").lower()]
        return self._rel(m, f"P{n}M", "DURATION", relative=False)

    def _fixed(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        return self._rel(m, self.fixed[_norm(m.group(0))], relative=False)

    def _set(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        return self._rel(m, self.sets[_norm(m.group(0))], "SET", relative=False)

    def _set_every(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if m.group("wd"):
            return self._rel(m, f"XXXX-WXX-{self.weekdays[m.group('wd').lower()]}", "SET", relative=False)
        return self._rel(m, f"XXXX-{self.months[m.group('month').lower()]:02d}", "SET", relative=False)

    def _holiday(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        name = _norm(m.group(0)[: m.start("y") - m.start() if m.group("y") else None].rstrip(", "))
        spec = self.holidays.get(name)
        if spec is None:
            return None
        y = int(m.group("y")) if m.group("y") else None
        relative = y is None
        if isinstance(spec, str):
            month, day = (int(p) for p in spec.split("-"))
            if y is None:
                if anchor is None:
                    return self._rel(m, f"XXXX-{month:02d}-{day:02d}", relative=False)
                y = C.pick_year(anchor, month, day, _month_tense(tense(m.start(), m.end())))
            d = C.make_date(y, month, day)
        else:
            month, wd, n = (int(p) for p in spec)
            if y is None:
                if anchor is None:
                    return self._rel(m, None)
                y = C.pick_year(anchor, month, 15, _month_tense(tense(m.start(), m.end())))
            d = C.nth_weekday(y, month, wd, n)
        return self._rel(m, d.isoformat() if d else None, relative=relative)

    def _weekend(self, m, anchor, tense, state, text):  # type: ignore[no-untyped-def]
        if anchor is None:
            return self._rel(m, None)
        rel = m.group("rel").lower()
        if rel == "last" or "past" in rel:
            d = C.weekday_date(anchor, 6, C.PAST)
        elif rel == "next" or "coming" in rel:
            d = C.weekday_date(anchor, 6, C.FUTURE)
        elif rel == "this":
            d = anchor
        else:
            d = C.weekday_date(anchor, 6, _weekday_tense(tense(m.start(), m.end())))
        return self._rel(m, C.iso_week(d) + "-WE" if d else None)


#: Rules whose values the anaphora state notes (the last quarter and year named).
_NOTED = frozenset({"quarter", "date_mdy", "date_dmy", "month_year", "year", "spelled_year"})
#: Rules whose values give the last day or month named ("Earlier that day", "the following month").
_NOTED_DAY = frozenset(
    {"date_mdy", "date_dmy", "date_iso", "date_num", "weekday", "relday", "holiday", "month",
     "month_year", "month_rel_year", "that_day", "next_day"}
)  # fmt: skip
_DAY_OR_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?")
_TENS_VALUE = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
               "eighty": 80, "ninety": 90}  # fmt: skip
_UNITS_VALUE = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9}  # fmt: skip
_TENS = "|".join(_TENS_VALUE)
_UNITS = "|".join(_UNITS_VALUE)
_DAY_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[A-Z\"“])|\n")


def _date_clock_times(found: list[Found], text: str) -> None:
    """A clock time without a day takes the day its own sentence names ("The blast occurred at
    10:35 a.m. (0735 GMT) Friday"), the nearest such day when there are several."""
    for f in found:
        if not f.bare_clock or f.value is None:
            continue
        best: tuple[int, str] | None = None
        for g in found:
            if g is f or g.type != "DATE" or g.value is None or not _DAY_VALUE.match(g.value):
                continue
            a, b = (g.end, f.start) if g.end <= f.start else (f.end, g.start)
            if a > b or _SENTENCE_END.search(text, a, b):
                continue
            if best is None or b - a < best[0]:
                best = (b - a, g.value[:10])
        if best is not None:
            f.value = best[1] + f.value[10:]


class _State:
    """What the text has said so far, for anaphora: the last quarter and year mentioned."""

    def __init__(self) -> None:
        self.quarter: str | None = None
        self.year: int | None = None
        self.day: dt.date | None = None  # the last day named
        self.month: tuple[int, int] | None = None  # the last month named (or the month of that day)

    def note_day(self, value: str) -> None:
        m = _DAY_OR_MONTH.match(value)
        if not m:
            return
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            return
        self.month = (y, mo)
        if m.group(3):
            self.day = C.make_date(y, mo, int(m.group(3)))
        elif self.day is not None and (self.day.year, self.day.month) != (y, mo):
            self.day = None  # a later month named: an older day is no longer "that day"

    def note(self, value: str) -> None:
        m = re.match(r"^(\d{4})(?:-(Q\d|H\d))?", value)
        if not m:
            return
        self.year = int(m.group(1))
        if m.group(2) and m.group(2).startswith("Q"):
            self.quarter = f"{m.group(1)}-{m.group(2)}"

    def shift_year(self, n: int) -> str | None:
        """The last quarter mentioned moved by ``n`` years ("a year earlier")."""
        if self.quarter is None:
            return None
        y, q = self.quarter.split("-")
        return f"{int(y) + n:04d}-{q}"


def _norm(s: str) -> str:
    return " ".join(s.lower().replace("’", "'").split())


def _int(s: str | None) -> int | None:
    return int(s) if s else None


_DEADLINE = re.compile(
    r"(?<!\bnot\s)(?<!\bup\s)\b(?:(?-i:until|till)|as\s+soon\s+as|no\s+later\s+than)\s+$", re.I
)


def _deadline(text: str, start: int) -> bool:
    """Whether a day follows "until", "as soon as", "no later than": a deadline or an expected
    time, ahead of the publication whatever the verb's tense ("extended its deadline until
    Tuesday", "could leave as soon as Tuesday"); "not until Tuesday" and "up until" look back."""
    return bool(_DEADLINE.search(text, max(0, start - 40), start))


def _weekday_tense(t: str) -> str:
    """News reports mostly look back: a weekday with no clear future is the past one; one that
    modifies a noun ("the release Friday") is the nearest."""
    if t == C.NOMINAL:
        return C.NOMINAL
    if t == C.MODAL:
        return C.UNKNOWN  # "could be located Wednesday": the nearest one
    return C.FUTURE if t == C.FUTURE else C.PAST


def _month_tense(t: str) -> str:
    if t == C.MODAL:
        return C.FUTURE
    return t if t in (C.PAST, C.FUTURE) else C.UNKNOWN
