"""The clean stage: records boilerplate paragraphs as removed ranges and marks in-body subheads.

The text is never rewritten; a removed range keeps its offsets and its reason,
and the parse stage blanks it out so that no fact can come from it.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..errors import ConfigError
from ..model import Article, Removed, Subhead
from ..pipeline import BaseStage

_LINE = re.compile(r"[^\r\n]+")
# A subhead ends without sentence punctuation; closing quotes and brackets may follow the last word.
_FINAL_PUNCT = re.compile(r"[.!?:;,…\-–—]['’\"”)\]]*$")


@dataclass(frozen=True)
class Rule:
    reason: str
    pattern: re.Pattern[str]
    max_words: int


@lru_cache(maxsize=1)
def load_rules() -> tuple[Rule, ...]:
    """The boilerplate rules from ``data/clean/boilerplate.toml`` (read once)."""
    path = resources.files("newsgraph").joinpath("data/clean/boilerplate.toml")
    data = tomllib.loads(path.read_text("utf-8"))
    rules = []
    for number, raw in enumerate(data.get("rule", []), start=1):
        try:
            rules.append(Rule(raw["reason"], re.compile(raw["pattern"], re.I), int(raw["max_words"])))
        except (KeyError, re.error, ValueError) as err:
            raise ConfigError("E107", path=str(path), detail=f"rule {number}: {err}") from err
    return tuple(rules)


class CleanStage(BaseStage):
    """Marks boilerplate lines (promotions, newsletter prompts, credits...) and subheads."""

    requires = ("text",)
    provides = ("removed", "subheads")

    def __init__(self, subhead_max_words: int = 10, subheads: bool = True) -> None:
        self.rules = load_rules()
        self.subhead_max_words = subhead_max_words
        self.subheads = subheads

    def __call__(self, article: Article) -> Article:
        lines = [m for m in _LINE.finditer(article.text) if m.group().strip()]
        for index, match in enumerate(lines):
            # Offsets of the paragraph without its surrounding spaces.
            raw = match.group()
            start = match.start() + (len(raw) - len(raw.lstrip()))
            end = match.end() - (len(raw) - len(raw.rstrip()))
            para = article.text[start:end]
            reason = self._boilerplate(para)
            if reason:
                article.removed.append(Removed(start, end, reason))
            elif self.subheads and 0 < index < len(lines) - 1 and self._is_subhead(para):
                article.subheads.append(Subhead(start, end, para))
        return article

    def _boilerplate(self, para: str) -> str | None:
        words = len(para.split())
        for rule in self.rules:
            if words <= rule.max_words and rule.pattern.search(para):
                return rule.reason
        return None

    def _is_subhead(self, para: str) -> bool:
        words = para.split()
        if not words or len(words) > self.subhead_max_words or _FINAL_PUNCT.search(para):
            return False
        # A subhead starts with a capital letter (after any opening quote).
        first = para.lstrip("'‘\"“([")
        return bool(first) and first[0].isupper()


def make_stage(subhead_max_words: int = 10, subheads: bool = True) -> CleanStage:
    return CleanStage(subhead_max_words=subhead_max_words, subheads=subheads)
