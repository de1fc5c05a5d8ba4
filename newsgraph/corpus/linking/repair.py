"""Repairing a wrong merge: split a cross-article entity in two, so that the split holds.

The chosen per-article entities move to a new id; the old id keeps the rest; both
profiles are rebuilt from the stored articles. Two kinds of ``cannot`` constraint make
the split hold as articles keep arriving: between the two ids (never merged again), and
between each moved per-article entity and the old id (it never goes back, also when
its article is linked again).
"""

from __future__ import annotations

from collections.abc import Iterable

from ...errors import BadInput
from .evidence import Features, add_to_profile, display_name, empty_profile, features, keys_of, profile_type
from .names import fold
from .state import LinkState

__all__ = ["merge_allowed", "split"]


def split(
    state: LinkState,
    corpus_id: str,
    *,
    names: Iterable[str] = (),
    articles: Iterable[str] = (),
    entities: Iterable[tuple[str, str]] = (),
    reason: str = "split by hand",
) -> str:
    """Move some of ``corpus_id``'s per-article entities to a new entity; returns its id.

    Chosen by name or alias (``names``), by article id, or as (article id, entity id)
    pairs. ``corpus_id`` keeps its id and the rest. The two may never be merged again,
    and the moved entities never go back (constraints that later articles respect).
    """
    record = state.entity(corpus_id)
    if record is None:
        raise BadInput("E301", corpus_id=corpus_id)
    wanted_names = {fold(n) for n in names}
    wanted_articles = set(articles)
    wanted_pairs = set(entities)
    moving: list[Features] = []
    staying: list[Features] = []
    counts: dict[tuple[str, str], int] = {}
    for row in state.links(corpus_id=corpus_id):
        article = state.article(row["article_id"])
        entity = next((e for e in article.entities if e.id == row["entity_id"]), None) if article else None
        if article is None or entity is None:
            raise BadInput(
                "E302",
                corpus_id=corpus_id,
                detail=f"article {row['article_id']} entity {row['entity_id']} is not in the store",
            )
        feat = features(row["article_id"], article, entity)
        if feat is None:
            continue
        counts[(feat.article_id, feat.entity_id)] = len(entity.mentions)
        chosen = (
            (feat.article_id, feat.entity_id) in wanted_pairs
            or feat.article_id in wanted_articles
            or bool(wanted_names & {fold(n) for n in feat.names})
        )
        (moving if chosen else staying).append(feat)
    if not moving:
        raise BadInput("E302", corpus_id=corpus_id, detail="nothing linked to it matches what to move")
    if not staying:
        raise BadInput("E302", corpus_id=corpus_id, detail="everything would move; nothing is left")
    new_id = _rebuild(state, None, moving, counts)
    _rebuild(state, corpus_id, staying, counts)
    moved = ", ".join(sorted({f.name for f in moving}))
    why = f"{reason}: {moved} moved from {corpus_id} to {new_id}"
    for feat in moving:
        state.set_link(feat.article_id, feat.entity_id, new_id, why, 1.0)
        state.add_constraint(f"{feat.article_id}/{feat.entity_id}", corpus_id, "cannot", why)
    state.add_constraint(corpus_id, new_id, "cannot", why)
    state.log("split", corpus_id, why, other_id=new_id)
    state.flush()
    return new_id


def _rebuild(
    state: LinkState, corpus_id: str | None, members: list[Features], counts: dict[tuple[str, str], int]
) -> str:
    profile = empty_profile(members[0])
    keys: set[str] = set()
    for feat in members:
        add_to_profile(profile, feat, counts.get((feat.article_id, feat.entity_id), 0))
        keys |= keys_of(feat)
    if corpus_id is None:
        corpus_id = state.new_entity(display_name(profile), profile_type(profile), profile)
    else:
        state.update_entity(corpus_id, display_name(profile), profile_type(profile), profile)
    state.replace_keys(corpus_id, keys)
    return corpus_id


def merge_allowed(state: LinkState, a: str, b: str) -> bool:
    """False when a split said ``a`` and ``b`` are different entities."""
    return not any({c["a"], c["b"]} == {a, b} and c["kind"] == "cannot" for c in state.constraints([a, b]))
