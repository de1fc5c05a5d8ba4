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

    def __init__(
        self,
        subhead_max_words: int = 10,
        subheads: bool = True,
        link_list_min: int = 3,
        link_max_words: int = 16,
    ) -> None:
        self.link_list_min = link_list_min
        self.link_max_words = link_max_words
        self.rules = load_rules()
        self.subhead_max_words = subhead_max_words
        self.subheads = subheads

    def __call__(self, article: Article) -> Article:
        lines = [m for m in _LINE.finditer(article.text) if m.group().strip()]
        paras: list[tuple[int, int, str]] = []
        for match in lines:
            # Offsets of the paragraph without its surrounding spaces.
            raw = match.group()
            start = match.start() + (len(raw) - len(raw.lstrip()))
            end = match.end() - (len(raw) - len(raw.rstrip()))
            paras.append((start, end, article.text[start:end]))
        links = self._link_lists(paras)
        for index, (start, end, para) in enumerate(paras):
            reason = self._boilerplate(para) or ("link_list" if index in links else None)
            if reason:
                article.removed.append(Removed(start, end, reason))
            elif self.subheads and 0 < index < len(paras) - 1 and self._is_subhead(para):
                article.subheads.append(Subhead(start, end, para))
        return article

    def _link_lists(self, paras: list[tuple[int, int, str]]) -> set[int]:
        """Indices of lines in lists of links: headline-like lines (short, capitalised, no
        sentence punctuation) in a run of at least ``link_list_min`` after the article's own
        headline, or any run of them right after a "Read more" / "Related" line."""
        titles = [i > 0 and self._is_title(p) for i, (_s, _e, p) in enumerate(paras)]
        out: set[int] = set()
        i = 0
        while i < len(paras):
            if not titles[i]:
                i += 1
                continue
            j = i
            while j < len(paras) and titles[j]:
                j += 1
            after_prompt = i > 0 and self._boilerplate(paras[i - 1][2]) == "read_more"
            if j - i >= self.link_list_min or after_prompt:
                out.update(range(i, j))
            i = j
        return out

    def _is_title(self, para: str) -> bool:
        words = para.lstrip("•·*-–—►▸> ").split()
        if not words or len(words) > self.link_max_words or _FINAL_PUNCT.search(para):
            return False
        first = " ".join(words).lstrip("'‘\"“([")
        return bool(first) and (first[0].isupper() or first[0].isdigit())

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


def make_stage(
    subhead_max_words: int = 10, subheads: bool = True, link_list_min: int = 3, link_max_words: int = 16
) -> CleanStage:
    return CleanStage(
        subhead_max_words=subhead_max_words,
        subheads=subheads,
        link_list_min=link_list_min,
        link_max_words=link_max_words,
    )
