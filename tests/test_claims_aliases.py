"""Merged claim groups: the absorbed group's id keeps resolving to the group holding its claims,
in a real SQLite store, through the Python API, ``newsgraph claim`` and ``/api/claims/ID``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsgraph.cli import cli
from newsgraph.corpus import claim_store
from newsgraph.corpus.claims import Claim, ClaimGrouper, MemoryClaimState, attributions_match, terms
from newsgraph.store import Store, tables

# (article, ref, published, hedge, text), matching as MATCHES says: in most orders a claim
# arrives matching claims of two groups and merges them (the bridge after the terminal and
# the exports claims; the terminal after the minister and the bridge); chess stays apart.
TERMINAL = "Romania will close the main grain terminal at Constanta for two weeks"
EXPORTS = "The closure would halt about a fifth of the grain exports of Romania"
MINISTER = "The port of Constanta will close its main grain terminal for two weeks"
BRIDGE = "Romania will close the main grain terminal at Constanta, halting a fifth of the grain exports"
CORPUS = [
    ("terminal", "a1", "2025-03-17", "none", TERMINAL),
    ("exports", "a1", "2025-03-17", "none", EXPORTS),
    ("exports-2", "a1", "2025-03-18", "reported", EXPORTS),
    ("minister", "a1", "2025-03-18", "none", MINISTER),
    ("bridge", "a1", "2025-03-20", "none", BRIDGE),
    ("chess", "a1", "2025-03-16", "none", "A record crowd of players came to the chess festival in Sibiu"),
]  # fmt: skip


#: Which claims match which (the groups are the connected parts of this graph).
MATCHES = {
    frozenset(pair)
    for pair in (
        ("terminal", "minister"),
        ("terminal", "bridge"),
        ("exports", "exports-2"),
        ("exports", "bridge"),
        ("exports-2", "bridge"),
    )
}


def _merges(order: list[str]) -> bool:
    """Does a claim, as they arrive in ``order``, match earlier claims of two groups?"""
    group: dict[str, int] = {}
    merged = False
    for n, name in enumerate(order):
        joined = {group[other] for other in order[:n] if frozenset((name, other)) in MATCHES}
        merged |= len(joined) > 1
        group[name] = n
        for other, g in list(group.items()):
            if g in joined:
                group[other] = n
    return merged


def test_the_corpus_matches_as_the_tests_expect() -> None:
    grouper = ClaimGrouper(MemoryClaimState())
    for i, a in enumerate(CORPUS):
        for b in CORPUS[i + 1 :]:
            ca, cb = _claim(CORPUS.index(a)), _claim(CORPUS.index(b))
            found = attributions_match(ca.text, cb.text, grouper.cosine(ca, cb))
            assert found == (frozenset((a[0], b[0])) in MATCHES), (a[0], b[0])


def _claim(i: int) -> Claim:
    article, ref, published, hedge, text = CORPUS[i]
    claim = Claim(article, "attribution", ref, text, 0, len(text), hedge=hedge, published=published)
    claim.terms = terms(text)
    return claim


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    opened = Store.open(str(tmp_path_factory.mktemp("aliases") / "store.db"))
    yield opened
    opened.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(list(range(len(CORPUS)))))
def test_every_id_a_claim_was_given_resolves_to_the_group_holding_it(store: Store, order: list[int]) -> None:
    with store.engine.connect() as conn:
        transaction = conn.begin()
        grouper = ClaimGrouper(claim_store.SqlClaimState(conn))
        c = tables.claims
        seen: dict[str, set[str]] = {}  # claim -> every group id it was stored in after an add
        for i in order:
            grouper.add([_claim(i)])
            grouper.state.flush()
            for article, group in conn.execute(sa.select(c.c.article_id, c.c.group_id)):
                seen.setdefault(article, set()).add(group)
        now = dict(conn.execute(sa.select(c.c.article_id, c.c.group_id)).all())
        live = {r.id for r in conn.execute(tables.claim_groups.select())}
        assert live == set(now.values())
        # The bridge merged the two grain groups whatever the order; chess stayed apart.
        assert len(live) == 2
        # Some ids moved exactly when a claim arrived matching claims of two groups.
        assert any(len(ids) > 1 for ids in seen.values()) == _merges([CORPUS[i][0] for i in order])
        for article, ids in seen.items():
            for old in ids:
                assert claim_store.current_id(conn, old) == now[article]
                found = claim_store.group(conn, old)
                assert found is not None and found.id == now[article]
                assert article in {m.article_id for m in found.claims}
        # Aliases point at live groups only (a chain of merges stays flat), and never at themselves.
        for alias in conn.execute(tables.claim_group_aliases.select()):
            assert alias.group_id in live and alias.id not in live
        assert claim_store.current_id(conn, "G999999") is None
        transaction.rollback()


def test_a_new_group_never_takes_a_merged_groups_id(db_url: str) -> None:
    store = Store.open(db_url)  # SQLite and PostgreSQL
    with store.engine.connect() as conn:
        transaction = conn.begin()
        grouper = ClaimGrouper(claim_store.SqlClaimState(conn))
        # terminal -> G1, exports -> G2, bridge merges G2 into G1 (G2 had the highest seq).
        for i in (0, 1, 4):
            grouper.add([_claim(i)])
        (alias,) = conn.execute(tables.claim_group_aliases.select()).all()
        assert (alias.id, alias.group_id) == ("G000002", "G000001")
        chess = _claim(5)
        grouper.add([chess])
        assert chess.group == "G000003"
        assert claim_store.current_id(conn, "G000002") == "G000001"
        assert claim_store.current_id(conn, "G000003") == "G000003"
        transaction.rollback()
    store.close()


@pytest.mark.slow
def test_the_cli_and_the_rest_api_follow_a_merged_id(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from newsgraph.core.corpus import Corpus
    from newsgraph.server import create_app

    db = str(tmp_path / "merged.db")
    corpus = Corpus(db=db)
    with corpus.store.begin() as conn:
        grouper = ClaimGrouper(claim_store.SqlClaimState(conn))
        for i in (0, 1, 4):
            grouper.add([_claim(i)])
        grouper.state.flush()
    assert corpus.claim("G000002") == corpus.claim("G000001")
    assert corpus.claim("G000001") is not None and corpus.claim("G000001")["id"] == "G000001"  # type: ignore[index]
    runner = CliRunner()
    shown = runner.invoke(cli, ["claim", "G000002", "--db", db])
    assert shown.exit_code == 0, shown.output
    assert shown.stdout.startswith("G000001: 3 article(s)")
    assert "G000002 was merged into G000001" in shown.stderr
    with TestClient(create_app(corpus=corpus)) as client:
        moved = client.get("/api/claims/G000002", follow_redirects=False)
        assert moved.status_code == 308
        assert moved.headers["location"].endswith("/api/claims/G000001")
        followed = client.get("/api/claims/G000002")
        assert followed.status_code == 200 and followed.json()["id"] == "G000001"
        assert client.get("/api/claims/G000009").status_code == 404
    corpus.close()


def test_an_id_whose_claims_were_deleted_says_so(db_url: str) -> None:
    from newsgraph.errors import StoreError

    store = Store.open(db_url)  # SQLite and PostgreSQL
    with store.engine.connect() as conn:
        transaction = conn.begin()
        grouper = ClaimGrouper(claim_store.SqlClaimState(conn))
        # terminal -> G1, exports -> G2, bridge merges G2 into G1; then every claim of G1 goes.
        for i in (0, 1, 4):
            grouper.add([_claim(i)])
        grouper.state.flush()
        for article in ("terminal", "exports", "bridge"):
            claim_store.delete_article(conn, article)
        assert conn.execute(sa.select(tables.claim_groups.c.id)).all() == []
        with pytest.raises(StoreError) as merged:
            claim_store.group(conn, "G000002")
        assert merged.value.code == "E206"
        assert "it was merged into G000001" in merged.value.message
        assert "deleted when their articles were removed or re-analysed" in merged.value.message
        with pytest.raises(StoreError) as removed:
            claim_store.group(conn, "G000001")
        assert removed.value.code == "E206" and "merged" not in removed.value.message
        assert claim_store.group(conn, "G000009") is None  # never a group: no such group
        # Neither id is given to a new group (an old link never shows another claim).
        chess = _claim(5)
        grouper.add([chess])
        assert chess.group == "G000003"
        transaction.rollback()
    store.close()


@pytest.mark.slow
def test_the_cli_and_the_rest_api_say_a_group_is_gone(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from newsgraph.core.corpus import Corpus
    from newsgraph.server import create_app

    db = str(tmp_path / "gone.db")
    corpus = Corpus(db=db)
    with corpus.store.begin() as conn:
        grouper = ClaimGrouper(claim_store.SqlClaimState(conn))
        for i in (0, 1, 4):
            grouper.add([_claim(i)])
        grouper.state.flush()
        for article in ("terminal", "exports", "bridge"):
            claim_store.delete_article(conn, article)
    shown = CliRunner().invoke(cli, ["claim", "G000002", "--db", db])
    assert shown.exit_code == 1
    assert "[E206] Claim group 'G000002' is gone: it was merged into G000001" in shown.output
    with TestClient(create_app(corpus=corpus)) as client:
        answer = client.get("/api/claims/G000002", follow_redirects=False)
        assert answer.status_code == 410
        error = answer.json()["error"]
        assert (error["code"], error["where"]) == ("E206", "path.group_id")
        assert "merged into G000001" in error["message"]
        assert client.get("/api/claims/G000001").json()["error"]["code"] == "E206"
        assert client.get("/api/claims/G000009").status_code == 404
        page = client.get("/claims/G000002")
        assert page.status_code == 410 and "E206" in page.text and "G000001" in page.text
    corpus.close()
