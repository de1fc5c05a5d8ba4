"""The language of an article: a cheap English check, then py3langid (offline, ships its model).

Only a confident answer is given: a short or mixed text gets ``None`` rather than a
guess, so that a headline of names is not turned away as "Afrikaans".
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

#: Characters of the text the detector reads (its start: the headline and lead).
SAMPLE_CHARS = 20_000
#: Below this many letters in the sample, no language is claimed.
MIN_LETTERS = 40
#: The detector's normalised probability needed to claim a language.
MIN_PROBABILITY = 0.9
#: English function words that are not also common words of German, Dutch, French, Spanish,
#: Italian or Portuguese; running English prose has about a third of its words among them.
_ENGLISH = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "that",
        "is",
        "for",
        "with",
        "said",
        "it",
        "on",
        "he",
        "she",
        "they",
        "by",
        "from",
        "at",
        "his",
        "her",
        "have",
        "has",
        "are",
        "were",
        "this",
        "which",
        "be",
        "would",
        "not",
        "been",
        "their",
        "who",
        "will",
        "its",
        "after",
        "but",
        "had",
    ]
)
_WORD = re.compile(r"[^\W\d_]+")
_DECLARED = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


def detect_language(text: str) -> str | None:
    """The ISO 639-1 code of the text's language, or None when it cannot be told confidently."""
    sample = text[:SAMPLE_CHARS]
    words = _WORD.findall(sample)
    letters = sum(len(w) for w in words)
    if letters < MIN_LETTERS:
        return None
    if _looks_english(words):
        return "en"
    code, probability = _identifier().classify(sample)
    return str(code) if probability >= MIN_PROBABILITY else None


def declared_language(html: bytes | str) -> str | None:
    """The primary language subtag of ``<html lang="...">`` (lower case), if the page declares one."""
    head = html[:65536]
    data = head.encode("utf-8", "replace") if isinstance(head, str) else head
    match = _DECLARED.search(data)
    return match.group(1).decode("ascii").lower() if match else None


def _looks_english(words: list[str]) -> bool:
    sample = words[:2000]
    ascii_words = sum(1 for w in sample if w.isascii())
    common = sum(1 for w in sample if w.lower() in _ENGLISH)
    return ascii_words >= 0.9 * len(sample) and common >= 0.15 * len(sample)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
