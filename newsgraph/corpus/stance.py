"""Does a passage carry a claim, and does it support, deny or only discuss it?

The relation of a text to a claim is one of ``STANCES``:

- ``unrelated``: the text is about something else;
- ``agree``: it asserts the claim (or confirms it);
- ``disagree``: it denies or debunks it;
- ``discuss``: it reports the claim without taking a side (hedged, attributed, open).

Two small models decide: boosted trees (``newsgraph.corpus.trees``) for related vs
unrelated, a logistic model for the stance of a related text. Their features are word
and name overlap, similarity of meaning (static ``wordllama`` embeddings shipped inside
that package; no download, no torch), cue words (``data/claims/cues.toml``) near the
sentences most like the claim, and what the pipeline found in the text: hedged, denied
and attributed claims. The weights in
``data/claims/stance.json`` are trained by ``newsgraph train claims`` on the tune part
of FNC-1 dev only (see docs/claims.md).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..model import Article
from .trees import TreeModel

STANCES = ("agree", "disagree", "discuss", "unrelated")
RELATED_STANCES = ("agree", "disagree", "discuss")
MODEL_FILE = "stance.json"
#: How many of the passage's sentences most similar to the claim the cue features look at.
TOP_SENTENCES = 3

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"(?<=[.!?…”\"])\s+(?=[A-Z“\"‘'(\[0-9])|\n+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Function words: they say nothing about what a claim is about. Hand-written.
_STOP = """a an the and or but if of to in on at by for with from as into about over after before
is are was were be been being am do does did done has have had having will would shall should
can could may might must it its it's this that these those there here he she they we you i me
him her them us my your his their our who whom whose which what when where why how not no
than then so such too very just also only own same other some any each all both more most
s t says said say new one two up out off down again further once during while until
because through against between under above below via per"""
STOPWORDS = frozenset(_STOP.split())


def words(text: str) -> list[str]:
    """Lower-cased word tokens (apostrophes kept inside words)."""
    return [m.group().lower().replace("’", "'") for m in _WORD.finditer(text)]


def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "deny"/"denies", "arrest"/"arrested"."""
    for suffix in ("'s", "ies", "ied", "ing", "ed", "es", "s", "ly"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix in ("ies", "ied") else "")
    return word


def content_words(text: str) -> set[str]:
    return {stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1}


def names(text: str) -> set[str]:
    """Capitalised words not at a sentence start: a cheap proxy for the names a claim is about."""
    out = set()
    for m in re.finditer(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zA-Z]+", text):
        word = m.group().lower()
        if word not in STOPWORDS:
            out.add(stem(word))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence-like stretch of ``text`` (lines and sentence ends)."""
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[start : m.start()].strip():
            spans.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


# --- data ----------------------------------------------------------------------------


def _data_path(name: str) -> Path:
    return Path(str(resources.files("newsgraph").joinpath("data", "claims", name)))


@cache
def cue_lexicon() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Cue phrases by name, each a tuple of lower-cased words."""
    path = _data_path("cues.toml")
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err
    table = data.get("cues")
    if not isinstance(table, dict):
        raise ConfigError("E107", path=str(path), detail="needs [cues.NAME] tables")
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for name, entry in table.items():
        phrases = entry.get("phrases") if isinstance(entry, dict) else None
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ConfigError("E107", path=str(path), detail=f"[cues.{name}] phrases must be strings")
        out[name] = tuple(tuple(words(p)) for p in phrases if words(p))
    return out


def count_phrases(tokens: Sequence[str], phrases: Iterable[tuple[str, ...]]) -> int:
    """How many times any of ``phrases`` occurs in ``tokens``."""
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_first.setdefault(phrase[0], []).append(phrase)
    found = 0
    for i, token in enumerate(tokens):
        for phrase in by_first.get(token, ()):
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                found += 1
    return found


class Embedder:
    """Sentence vectors from wordllama's bundled static embeddings (unit length)."""

    def __init__(self) -> None:
        import wordllama
        from wordllama import WordLlama

        folder = Path(wordllama.__file__).parent
        try:
            self._model = WordLlama.load(cache_dir=folder, disable_download=True)
        except FileNotFoundError as err:  # the package was installed without its weights
            raise ConfigError("E107", path=str(folder), detail=f"wordllama weights missing: {err}") from err

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        if not texts:
            return np.zeros((0, 256), dtype="float32")
        vectors = np.asarray(self._model.embed(list(texts)), dtype="float32")
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


@cache
def embedder() -> Embedder:
    """The one embedder of this process (loading takes about a second)."""
    return Embedder()


# --- features ------------------------------------------------------------------------


@dataclass
class Passage:
    """A text a claim is compared with: an article's text (or part of it) and what the pipeline found."""

    text: str
    #: (start, end, hedge, source type) of each attribution's content in ``text``.
    attributions: list[tuple[int, int, str, str]] = field(default_factory=list)
    #: (start, end, modality) of each event's trigger.
    events: list[tuple[int, int, str]] = field(default_factory=list)

    @classmethod
    def of(cls, article: Article, start: int = 0, end: int | None = None) -> Passage:
        """The stretch ``[start, end)`` of an analysed article (offsets shifted to the passage)."""
        end = len(article.text) if end is None else end
        atts = [
            (a.content.start - start, a.content.end - start, a.hedge, a.source.type)
            for a in article.attributions
            if start <= a.content.start and a.content.end <= end
        ]
        evs = [
            (e.trigger.start - start, e.trigger.end - start, e.modality)
            for e in article.events
            if start <= e.trigger.start and e.trigger.end <= end
        ]
        return cls(article.text[start:end], atts, evs)


@dataclass
class Relation:
    """How a passage relates to a claim."""

    stance: str  # one of STANCES
    related: float  # probability that the passage carries the claim
    probabilities: dict[str, float]  # of the related stances, given that it is related
    #: (start, end) in the passage of the sentence most like the claim.
    evidence: tuple[int, int] | None
    reason: str


FEATURES_RELATED = (
    "overlap",
    "overlap_weighted",
    "overlap_rare",
    "overlap_names",
    "overlap_numbers",
    "overlap_lead",
    "cos_text",
    "cos_best",
    "cos_top3",
    "cos_lead",
    "soft_overlap",
    "soft_overlap_weighted",
    "missing_rarest",
    "missing_rare_soft",
    "rare_hits",
    "tfidf_cos",
    "prefix_weighted",
    "lead3_weighted",
    "window3_weighted",
    "tf_rare",
    "soft_cover_60",
    "soft_cover_70",
    "soft_min",
    "missing_name",
    "topic_soft",
    "topic_cos",
    "bias",
)
FEATURES_STANCE = (
    "overlap",
    "overlap_weighted",
    "cos_best",
    "cos_top3",
    "refute_top",
    "refute_all",
    "doubt_top",
    "doubt_all",
    "report_top",
    "report_all",
    "confirm_top",
    "confirm_all",
    "negation_top",
    "negation_claim",
    "refute_claim",
    "doubt_claim",
    "question_marks",
    "att_denied",
    "att_hedged",
    "att_none",
    "att_near_denied",
    "att_near_hedged",
    "event_denied",
    "log_words",
    "bias",
)
#: Words at or above this Zipf frequency (wordfreq's scale: 7 = "the", 3 = rare) weigh nothing.
COMMON_ZIPF = 6.0
RARE_ZIPF = 3.5
#: How many of the passage's topic words (rarest and most repeated) the reverse features read.
TOPIC_WORDS = 10


@cache
def weight(word: str) -> float:
    """How much a shared word says that two texts are about the same thing (rarer: more)."""
    from wordfreq import zipf_frequency

    return max(0.0, COMMON_ZIPF - zipf_frequency(word, "en")) / COMMON_ZIPF


@dataclass
class Prepared:
    """A passage with what every comparison against it needs, computed once."""

    passage: Passage
    spans: list[tuple[int, int]]
    sentence_tokens: list[list[str]]
    tokens: list[str]
    words: set[str]
    numbers: set[str]
    lead_words: set[str]
    text_vec: Any
    lead_vec: Any
    sentence_vecs: Any
    cue_counts: dict[str, int]
    vocabulary: list[str]
    vocabulary_vecs: Any
    #: Stemmed content words with their counts, each sentence's content words, 5-letter prefixes
    #: of the longer words, and the length of the rarity-weighted count vector.
    counts: dict[str, int] = field(default_factory=dict)
    sentence_words: list[set[str]] = field(default_factory=list)
    prefixes: set[str] = field(default_factory=set)
    counts_norm: float = 1.0
    #: The passage's topic words: its stemmed content words of most weight x log(1 + count),
    #: their salience (that product) and the vectors of their first spelling in the text.
    topic: list[str] = field(default_factory=list)
    topic_salience: list[float] = field(default_factory=list)
    topic_vecs: Any = None


def prepare(passage: Passage, emb: Embedder | None = None) -> Prepared:
    emb = emb or embedder()
    text = passage.text
    spans = (sentence_spans(text) or [(0, len(text))])[:200]
    sentences = [text[s:e] for s, e in spans]
    lead = " ".join(sentences[:2])
    vectors = emb.embed([text[:4000], lead, *sentences])
    tokens = words(text)
    lex = cue_lexicon()
    vocabulary = sorted({w for w in tokens if w not in STOPWORDS and len(w) > 2})[:2000]
    counts: dict[str, int] = {}
    for w in tokens:
        if w not in STOPWORDS and len(w) > 1:
            counts[stem(w)] = counts.get(stem(w), 0) + 1
    sentence_tokens = [words(t) for t in sentences]
    salience = {w: weight(w) * math.log1p(n) for w, n in counts.items()}
    topic = sorted(salience, key=lambda w: -salience[w])[:TOPIC_WORDS]
    spelling: dict[str, str] = {}
    for w in tokens:
        if w not in STOPWORDS and len(w) > 1:
            spelling.setdefault(stem(w), w)
    return Prepared(
        passage=passage,
        spans=spans,
        sentence_tokens=sentence_tokens,
        tokens=tokens,
        words={stem(w) for w in tokens if w not in STOPWORDS and len(w) > 1},
        numbers=set(_NUMBER.findall(text)),
        lead_words=content_words(lead),
        text_vec=vectors[0],
        lead_vec=vectors[1],
        sentence_vecs=vectors[2:],
        cue_counts={name: count_phrases(tokens, phrases) for name, phrases in lex.items()},
        vocabulary=vocabulary,
        vocabulary_vecs=emb.embed(vocabulary),
        counts=counts,
        sentence_words=[
            {stem(w) for w in toks if w not in STOPWORDS and len(w) > 1} for toks in sentence_tokens
        ],
        prefixes={w[:5] for w in counts if len(w) >= 5},
        counts_norm=math.sqrt(sum((weight(w) * math.log1p(n)) ** 2 for w, n in counts.items())) or 1e-9,
        topic=topic,
        topic_salience=[salience[w] for w in topic],
        topic_vecs=emb.embed([spelling[w] for w in topic]),
    )


def features(claim: str, passage: Passage | Prepared, emb: Embedder | None = None) -> dict[str, float]:
    """The feature values both models read (a superset of each model's list)."""
    emb = emb or embedder()
    prep = passage if isinstance(passage, Prepared) else prepare(passage, emb)
    spans = prep.spans
    claim_vec = emb.embed([claim])[0]
    claim_words = content_words(claim)
    claim_names = names(claim)
    claim_numbers = set(_NUMBER.findall(claim))
    sims = prep.sentence_vecs @ claim_vec if len(prep.sentence_vecs) else []
    order = sorted(range(len(sims)), key=lambda i: -float(sims[i]))
    top = order[:TOP_SENTENCES]
    best = float(sims[order[0]]) if order else 0.0

    def overlap(pool: set[str], needles: set[str]) -> float:
        return len(pool & needles) / len(needles) if needles else 0.0

    total_weight = sum(weight(w) for w in claim_words)
    shared = claim_words & prep.words
    rare = {w for w in claim_words if weight(w) >= (COMMON_ZIPF - RARE_ZIPF) / COMMON_ZIPF}
    lex = cue_lexicon()
    top_tokens = [w for i in top for w in prep.sentence_tokens[i]]
    claim_tokens = words(claim)
    n_sent = max(len(spans), 1)
    n_tokens = max(len(prep.tokens), 1)
    # Soft overlap: each claim word's closest word of the passage by meaning ("boob" ~ "breast").
    claim_vocab = sorted({w for w in claim_tokens if w not in STOPWORDS and len(w) > 2})
    soft = soft_weighted = missing_soft = cover_60 = cover_70 = soft_min = 0.0
    claim_vocab_vecs: Any = emb.embed(claim_vocab) if claim_vocab else None
    if claim_vocab and len(prep.vocabulary):
        closest = (claim_vocab_vecs @ prep.vocabulary_vecs.T).max(axis=1)
        weights = [weight(stem(w)) for w in claim_vocab]
        soft = float(closest.mean())
        soft_weighted = float(
            sum(c * w for c, w in zip(closest, weights, strict=True)) / max(sum(weights), 1e-9)
        )
        # The rarest claim word with nothing like it in the passage: "Sotloff" in a story about Foley.
        missing_soft = max((w for c, w in zip(closest, weights, strict=True) if c < 0.75), default=0.0)
        # The share of the claim's weight with a word of like meaning in the passage.
        total = max(sum(weights), 1e-9)
        cover_60 = sum(w for c, w in zip(closest, weights, strict=True) if c >= 0.6) / total
        cover_70 = sum(w for c, w in zip(closest, weights, strict=True) if c >= 0.7) / total
        soft_min = float(closest.min())
    # Rarity-weighted cosine of word counts (a TF-IDF cosine with general-English rarity as IDF),
    # and overlaps: by 5-letter prefix, with the first three sentences, with the best window of three.
    claim_weights = {w: weight(w) for w in claim_words}
    norm = math.sqrt(sum(v * v for v in claim_weights.values())) or 1e-9
    tfidf = sum(v * v * math.log1p(prep.counts.get(w, 0)) for w, v in claim_weights.items())
    share = max(total_weight, 1e-9)
    lead3 = set().union(*prep.sentence_words[:3])
    window = 0.0
    for i in range(len(prep.sentence_words)):
        inside = set().union(*prep.sentence_words[i : i + 3])
        window = max(window, sum(v for w, v in claim_weights.items() if w in inside))
    missing = [weight(w) for w in claim_words - prep.words]
    # The other way round: is the passage's topic in the claim? Each topic word's closest claim
    # word by meaning, weighted by salience, and the cosine of the claim with the topic's centroid.
    topic_soft = topic_cos = 0.0
    if claim_vocab and prep.topic and prep.topic_vecs is not None:
        import numpy as np

        salience = np.asarray(prep.topic_salience)
        if salience.sum() > 0:
            nearest = (prep.topic_vecs @ claim_vocab_vecs.T).max(axis=1)
            topic_soft = float((nearest * salience).sum() / salience.sum())
            centroid = prep.topic_vecs.T @ salience
            topic_cos = float(centroid @ claim_vec / (np.linalg.norm(centroid) or 1e-9))
    f: dict[str, float] = {
        "overlap": overlap(prep.words, claim_words),
        "overlap_weighted": sum(weight(w) for w in shared) / total_weight if total_weight else 0.0,
        "overlap_rare": overlap(prep.words, rare) if rare else 0.5,
        "overlap_names": overlap(prep.words, claim_names),
        "overlap_numbers": overlap(prep.numbers, claim_numbers) if claim_numbers else 0.5,
        "overlap_lead": overlap(prep.lead_words, claim_words),
        "cos_text": float(prep.text_vec @ claim_vec),
        "cos_best": best,
        "cos_top3": float(sum(float(sims[i]) for i in top) / max(len(top), 1)),
        "cos_lead": float(prep.lead_vec @ claim_vec),
        "soft_overlap": soft,
        "soft_overlap_weighted": soft_weighted,
        "missing_rarest": max(missing, default=0.0),
        "missing_rare_soft": missing_soft,
        "rare_hits": min(sum(1 for w in shared if weight(w) >= 0.4), 5) / 5,
        "tfidf_cos": tfidf / prep.counts_norm / norm,
        "prefix_weighted": sum(
            v
            for w, v in claim_weights.items()
            if w in prep.counts or (len(w) >= 5 and w[:5] in prep.prefixes)
        )
        / share,
        "lead3_weighted": sum(v for w, v in claim_weights.items() if w in lead3) / share,
        "window3_weighted": window / share,
        "tf_rare": sum(min(math.log1p(prep.counts.get(w, 0)), 2.0) * v for w, v in claim_weights.items())
        / share,
        "soft_cover_60": cover_60,
        "soft_cover_70": cover_70,
        "soft_min": soft_min,
        # The rarest name of the claim the passage never uses: "Sotloff" in a story about Foley.
        "missing_name": max((weight(w) for w in claim_names - prep.words), default=0.0),
        "topic_soft": topic_soft,
        "topic_cos": topic_cos,
        "question_marks": min(prep.passage.text.count("?") / n_sent, 1.0),
        "log_words": math.log1p(len(prep.tokens)) / 8,
        "bias": 1.0,
    }
    for name in ("refute", "doubt", "report", "confirm", "negation"):
        phrases = lex.get(name, ())
        f[f"{name}_top"] = min(count_phrases(top_tokens, phrases) / max(len(top), 1), 3.0)
        f[f"{name}_all"] = min(3.0, 10 * prep.cue_counts.get(name, 0) / n_tokens)
        f[f"{name}_claim"] = float(count_phrases(claim_tokens, phrases) > 0)
    atts = prep.passage.attributions
    n_att = len(atts)
    denied = hedged = plain = near_denied = near_hedged = 0
    for start, end, hedge, _type in atts:
        is_near = any(spans[i][0] < end and start < spans[i][1] for i in top)
        if hedge == "denied":
            denied += 1
            near_denied += is_near
        elif hedge != "none":
            hedged += 1
            near_hedged += is_near
        else:
            plain += 1
    f["att_denied"] = denied / n_att if n_att else 0.0
    f["att_hedged"] = hedged / n_att if n_att else 0.0
    f["att_none"] = plain / n_att if n_att else 0.0
    f["att_near_denied"] = float(near_denied > 0)
    f["att_near_hedged"] = float(near_hedged > 0)
    f["event_denied"] = float(any(m in ("denied", "negated") for _s, _e, m in prep.passage.events))
    f["_best_sentence"] = float(order[0]) if order else -1.0
    return f


# --- the models ------------------------------------------------------------------------


def value_of(values: dict[str, float], name: str) -> float:
    """A feature's value (0 when the feature was not computed)."""
    return values.get(name, 0.0)


@dataclass
class LogisticModel:
    """A (multinomial) logistic model over named, standardised features."""

    labels: list[str]
    features: list[str]
    mean: list[float]
    scale: list[float]
    weights: list[list[float]]  # one row per label

    def probabilities(self, values: dict[str, float]) -> dict[str, float]:
        x = [
            (value_of(values, name) - m) / s if name != "bias" else 1.0
            for name, m, s in zip(self.features, self.mean, self.scale, strict=True)
        ]
        scores = [sum(w * v for w, v in zip(row, x, strict=True)) for row in self.weights]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {label: e / total for label, e in zip(self.labels, exps, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "features": self.features,
            "mean": self.mean,
            "scale": self.scale,
            "weights": self.weights,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogisticModel:
        return cls(data["labels"], data["features"], data["mean"], data["scale"], data["weights"])


def related_model(data: dict[str, Any]) -> LogisticModel | TreeModel:
    """The related-vs-unrelated model as stored: boosted trees, or (older files) logistic."""
    return TreeModel.from_dict(data) if data.get("kind") == "boosted_trees" else LogisticModel.from_dict(data)


@dataclass
class StanceModels:
    related: LogisticModel | TreeModel  # labels: ["unrelated", "related"]
    stance: LogisticModel  # labels: RELATED_STANCES
    threshold: float  # P(related) at or above which a passage carries the claim
    note: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "threshold": self.threshold,
            "related": self.related.to_dict(),
            "stance": self.stance.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StanceModels:
        return cls(
            related_model(data["related"]),
            LogisticModel.from_dict(data["stance"]),
            float(data["threshold"]),
            dict(data.get("note", {})),
        )


@cache
def shipped_models(path: str | None = None) -> StanceModels:
    """The models shipped in ``data/claims/stance.json`` (or another file)."""
    where = Path(path) if path else _data_path(MODEL_FILE)
    try:
        return StanceModels.from_dict(json.loads(where.read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ConfigError("E107", path=str(where), detail=f"not a stance model: {err}") from err


def decide(values: dict[str, float], models: StanceModels) -> tuple[str, float, dict[str, float]]:
    """``(stance, P(related), stance probabilities)`` for computed feature values."""
    related = models.related.probabilities(values)["related"]
    probs = models.stance.probabilities(values)
    if related < models.threshold:
        return "unrelated", related, probs
    return max(probs, key=lambda k: probs[k]), related, probs


def relate(
    claim: str, passage: Passage | Prepared | Article | str, models: StanceModels | None = None
) -> Relation:
    """How ``passage`` relates to ``claim``, with the sentence that best carries it."""
    if isinstance(passage, Article):
        passage = Passage.of(passage)
    elif isinstance(passage, str):
        passage = Passage(passage)
    models = models or shipped_models()
    prep = passage if isinstance(passage, Prepared) else prepare(passage)
    values = features(claim, prep)
    stance, related, probs = decide(values, models)
    spans = prep.spans
    best = int(values["_best_sentence"])
    evidence = spans[best] if 0 <= best < len(spans) else None
    if stance == "unrelated":
        reason = f"not about the claim (P(related) = {related:.2f})"
    else:
        strongest = max(
            ("refute_top", "doubt_top", "confirm_top", "att_near_denied", "att_near_hedged"),
            key=lambda k: values.get(k, 0.0),
        )
        cue = {
            "refute_top": "denial or debunking words near the claim",
            "doubt_top": "doubt or rumour words near the claim",
            "confirm_top": "confirming words near the claim",
            "att_near_denied": "an attribution with a denial cue near the claim",
            "att_near_hedged": "a hedged attribution near the claim",
        }[strongest]
        reason = f"{stance} (P = {probs[stance]:.2f}); strongest cue: {cue}"
    return Relation(stance, related, probs, evidence, reason)
