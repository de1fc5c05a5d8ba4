"""Bytes to text: UTF-8 first (a few stray bytes replaced, with a warning), UTF-16, else detected.

Offsets are character offsets into the decoded text, so the decoding must be
the same every time; nothing here rewrites the text beyond decoding it.
"""

from __future__ import annotations

from ..errors import BadInput

#: Among equally plausible single-byte readings, the Western default is by far the most common
#: for news text; charset-normalizer's order between ties is arbitrary.
_PREFERRED = ("cp1252", "latin_1", "iso8859_15")
_REPLACEMENT = "\ufffd"


def decode(data: bytes) -> str:
    """Decode bytes to text (see ``decode_with_warnings``); raises a coded ``BadInput``."""
    return decode_with_warnings(data)[0]


def decode_with_warnings(data: bytes) -> tuple[str, list[str]]:
    """The text of ``data`` and what the reader should know about its decoding.

    UTF-8 (with or without BOM) first; a UTF-8 text with a few invalid bytes among valid
    multi-byte characters keeps UTF-8, with U+FFFD for each bad byte and a warning (reading
    it as cp1252 would turn every curly quote into mojibake). UTF-16 is recognised by its
    BOM or, without one, by its pattern of NUL bytes. Anything else goes to
    charset-normalizer. NUL bytes and mostly-control text are binary (E003).
    """
    if not data.strip():
        raise BadInput("E002")
    utf16 = _utf16_codec(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError as err:
            raise BadInput("E004", detail=f"looks like UTF-16 but is not ({err.reason})") from err
        return _checked(text.removeprefix("\ufeff"), "UTF-16"), []
    try:
        return _checked(data.decode("utf-8-sig"), "UTF-8"), []
    except UnicodeDecodeError as err:
        utf8_error = err
    lenient = data.decode("utf-8-sig", errors="replace")
    bad = lenient.count(_REPLACEMENT) - data.count(b"\xef\xbf\xbd")
    multibyte = sum(1 for ch in lenient if ord(ch) > 127 and ch != _REPLACEMENT)
    if multibyte and bad <= multibyte:
        warning = (
            f"decoded as UTF-8 with {bad} invalid byte(s) replaced by U+FFFD"
            f" (first at byte {utf8_error.start})"
        )
        return _checked(lenient, "UTF-8"), [warning]
    return _detected(data, utf8_error), []


def _utf16_codec(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not data.startswith(b"\xff\xfe\x00\x00"):
        return "utf-16"
    head = data[:8192]
    if len(head) < 4:
        return None
    even, odd = head[0::2], head[1::2]
    # Mostly-ASCII UTF-16 has a NUL in every other byte and (almost) none in the rest.
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _detected(data: bytes, utf8_error: UnicodeDecodeError) -> str:
    from charset_normalizer import from_bytes

    if b"\x00" in data:
        raise BadInput("E003", detail=f"it contains NUL bytes (first at byte {data.index(0)})")
    matches = list(from_bytes(data))
    best = matches[0] if matches else None
    for match in matches:
        if best is not None and match.encoding in _PREFERRED and match.chaos <= best.chaos:
            best = match
            break
    if best is None:
        raise BadInput(
            "E004",
            detail=f"not UTF-8 ({utf8_error.reason} at byte {utf8_error.start}) and no other encoding fits",
        )
    return _checked(str(best), str(best.encoding))


def _checked(text: str, encoding: str) -> str:
    if not text.strip():
        raise BadInput("E002")
    nul = text.find("\x00")
    if nul >= 0:
        raise BadInput("E003", detail=f"it contains NUL characters (first at character {nul})")
    ratio = control_ratio(text)
    if ratio > 0.05:
        raise BadInput("E003", detail=f"{ratio:.0%} control characters as {encoding}")
    return text


def control_ratio(text: str) -> float:
    """The share of control characters (other than line breaks and tabs) in the first 20,000."""
    sample = text[:20000]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return bad / len(sample)
