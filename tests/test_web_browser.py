"""The pages in Debian's chromium: every page, claim -> sentence, hostile article, map, phone width.

The server is uvicorn on 127.0.0.1 (a random port) over a real SQLite store holding the
bundled samples (``samples.json`` and the claims corpus ``claims.json``) and one hostile
article full of script tags, event-handler attributes and ``javascript:`` links. Screenshots
go to ``test-artifacts/web/`` (or ``$NEWSGRAPH_TEST_ARTIFACTS``), kept out of git.
Skipped only when ``/usr/bin/chromium`` is absent (CI installs it: ``.ci/run``).
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from newsgraph.model import Metadata  # noqa: E402
from newsgraph.server import create_app  # noqa: E402
from newsgraph.server.charts import atlas_path  # noqa: E402

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("NEWSGRAPH_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

#: Every way we know for an article to try to run code in a reader's browser.
HOSTILE_TEXT = """\
Hostile council report <script>window.__pwned = "script"; alert("script")</script>

The mayor, Ana Hostile, said on Monday that "<img src=x onerror="window.__pwned='img';alert('img')"> the \
budget for Cluj is safe" and that nothing would change.

<a href="javascript:window.__pwned='link';alert('link')">Read the budget</a> and \
<svg onload="window.__pwned='svg';alert('svg')"></svg> were posted on the city website.

"<script>alert(document.cookie)</script> We will win the vote," the council told reporters in Cluj, \
adding that <iframe src="javascript:alert('frame')"></iframe> the plan may change.
<body onload="alert('body')"><div onmouseover="alert('hover')">Officials said the vote was delayed.</div>
"""
HOSTILE_META = Metadata(
    title='<script>window.__pwned="title";alert("title")</script> Council <b onmouseover=alert(1)>budget</b>',
    outlet="<img src=x onerror=alert('outlet')>",
    published="2025-03-20",
)


def write_feed(path: Path) -> Path:
    """The bundled samples with their metadata, as a JSON Lines feed."""
    samples = resources.files("newsgraph").joinpath("samples")
    with open(path, "w", encoding="utf-8") as handle:
        for listing in ("samples.json", "claims.json"):
            for entry in json.loads(samples.joinpath(listing).read_text("utf-8")):
                record = {k: entry[k] for k in ("title", "published", "outlet")}
                record |= {"id": entry["file"], "text": samples.joinpath(entry["file"]).read_text("utf-8")}
                handle.write(json.dumps(record) + "\n")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, newsgraph: Any) -> Iterator[dict[str, Any]]:
    """uvicorn serving the app over a real SQLite store, on a random loopback port."""
    import uvicorn

    from newsgraph.core.corpus import Corpus

    tmp = tmp_path_factory.mktemp("web")
    corpus = Corpus(db=str(tmp / "store.db"), newsgraph=newsgraph)
    assert corpus.add([str(write_feed(tmp / "samples.jsonl"))]).failed == 0
    hostile = tmp / "hostile.txt"
    hostile.write_text(HOSTILE_TEXT, encoding="utf-8")
    assert corpus.add([str(hostile)], overrides=HOSTILE_META).added == 1
    empty = tmp / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert corpus.add([str(empty)]).failed == 1  # a problem (E002) for the dashboard to list
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(corpus=corpus), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield {"url": f"http://127.0.0.1:{port}", "corpus": corpus}
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    yield opened
    context.close()


def watch(page: Page) -> dict[str, list[str]]:
    """Dialogs (alert), page errors and console errors seen while the page is used."""
    seen: dict[str, list[str]] = {"dialogs": [], "errors": [], "console": []}

    def on_dialog(dialog: Any) -> None:
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda err: seen["errors"].append(str(err)))
    page.on("console", lambda msg: seen["console"].append(msg.text) if msg.type == "error" else None)
    return seen


def shot(page: Page, name: str, full: bool = False) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def first_href(page: Page, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    assert href, selector
    return href


def test_every_page_opens_without_errors(site: dict[str, Any], page: Page) -> None:
    seen = watch(page)
    base = site["url"]
    page.goto(base + "/")
    assert page.locator(".counts strong").first.inner_text() == "11"
    shot(page, "dashboard", full=True)
    problem = page.locator("#problems tbody tr")
    assert problem.count() == 1 and "empty.txt" in problem.inner_text()
    assert problem.locator("code").inner_text() == "E002"
    article = first_href(page, "#recent-h + ul a")
    entity = first_href(page, "#entities-h + ul a")
    page.goto(base + "/claims")
    group = first_href(page, ".group h2 a")
    for name, path in [
        ("articles", "/articles"),
        ("reader", article),
        ("entities", "/entities"),
        ("entity", entity),
        ("claims", "/claims"),
        ("claim", group),
        ("contested", "/claims?contested=1"),
        ("map", "/map"),
        ("timeline", "/timeline"),
        ("search", "/search?q=grain+terminal"),
        ("quotes", "/quotes"),
        ("quotes-hedged", "/quotes?hedged=1"),
        ("problems", "/problems"),
        ("analyze", "/analyze"),
    ]:
        response = page.goto(base + path)
        assert response is not None and response.status == 200, path
        assert page.locator("h1").first.inner_text().strip(), path
        shot(page, name)
    assert seen == {"dialogs": [], "errors": [], "console": []}


def test_a_claim_link_lands_on_its_highlighted_sentence(site: dict[str, Any], page: Page) -> None:
    page.goto(site["url"] + "/claims")
    link = page.locator(".claim-link").first
    claim_text = link.inner_text().strip("“”")[:40]
    link.click()
    page.wait_for_load_state("load")
    anchor = page.evaluate("location.hash").lstrip("#")
    assert anchor.startswith(("att-", "evt-")), anchor
    assert page.locator(f"#{anchor}").count() == 1
    current = page.locator(".current")
    assert current.count() >= 1
    highlighted = "".join(current.all_inner_texts())
    assert claim_text.rstrip("…")[:30] in " ".join(highlighted.split()), (claim_text, highlighted)
    info = page.locator(f'.fact-info[data-fact="{anchor}"]')
    assert info.is_visible()
    assert page.locator(".fact-info:visible").count() == 1
    shot(page, "claim-landing")


def test_highlights_are_reachable_by_keyboard(site: dict[str, Any], page: Page) -> None:
    page.goto(site["url"] + "/claims")
    page.goto(site["url"] + first_href(page, ".claim-link").split("#")[0])
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-facts')"):
            break
    else:
        pytest.fail("no highlight took the keyboard focus within 80 tabs")
    facts = page.evaluate("document.activeElement.getAttribute('data-facts')").split()
    assert page.locator(f'.fact-info[data-fact="{facts[0]}"]').is_visible()
    shot(page, "keyboard-focus")


def test_the_hostile_article_runs_nothing(site: dict[str, Any], page: Page) -> None:
    seen = watch(page)
    base = site["url"]
    hit = next(a for a in site["corpus"].articles() if "Council" in (a["title"] or ""))
    paths = [
        "/",
        "/articles",
        f"/articles/{hit['article_id']}",
        "/search?q=hostile",
        "/entity?name=Ana+Hostile",
        "/search?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/entity?name=%3Cimg+src%3Dx+onerror%3Dalert(1)%3E",
    ]
    for path in paths:
        page.goto(base + path)
        page.mouse.move(300, 300)
        for element in page.locator("[data-facts]").all()[:40]:
            element.hover()
        assert page.evaluate("window.__pwned") is None, path
        assert page.evaluate("document.querySelectorAll('script').length") == 1, path
        assert page.evaluate("document.querySelectorAll('script:not([src=\"/static/app.js\"])').length") == 0
        handlers = "[onerror],[onload],[onmouseover],[onclick],iframe,svg#x,img[src=x],a[href^='javascript:']"
        assert page.evaluate(f'document.querySelectorAll("{handlers}").length') == 0, path
    reader = f"/articles/{hit['article_id']}"
    page.goto(base + reader)
    text = page.locator("#text").inner_text()
    assert '<script>window.__pwned = "script"; alert("script")</script>' in text  # shown, as text
    assert "<script>window.__pwned" in page.locator("h1").inner_text()
    shot(page, "hostile-reader", full=True)
    assert seen["dialogs"] == [] and seen["errors"] == []


def test_map_and_timeline_draw_their_svg(site: dict[str, Any], page: Page) -> None:
    page.goto(site["url"] + "/map")
    circles = page.locator("#world .points circle")
    rows = page.locator("table.places tbody tr")
    assert circles.count() >= 5 and circles.count() == rows.count()
    if atlas_path() is not None or os.environ.get("CI"):
        assert page.locator("#world image.land").count() == 1, "world-atlas not installed: run `npm ci`"
        outline = page.request.get(site["url"] + "/map/world.svg")
        assert outline.ok and outline.text().count("<path ") > 100
    circles.first.click(force=True)
    assert page.evaluate("location.hash").startswith("#place-")
    article_link = page.locator("table.places tbody tr:target a").first
    article_link.click()
    page.wait_for_load_state("load")
    assert page.locator(".current").count() >= 1  # the place mention, highlighted
    page.goto(site["url"] + "/timeline")
    lanes = page.locator("#timeline .lane")
    assert lanes.count() >= 3
    total = page.locator("#timeline circle").count()
    assert total >= 10
    category = page.locator("#timeline .lane text").first.text_content() or ""
    page.select_option("#category", category)
    page.locator("form.filters button").click()
    page.wait_for_load_state("load")
    assert page.locator("#timeline .lane").count() == 1
    assert page.locator("#timeline .lane text").text_content() == category
    assert 1 <= page.locator("#timeline circle").count() < total
    shot(page, "timeline-filtered")


def test_pages_fit_a_phone_width_screen(site: dict[str, Any], browser: Browser) -> None:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    phone = context.new_page()
    base = site["url"]
    phone.goto(base + "/claims")
    reader = first_href(phone, ".claim-link")
    phone.goto(base + "/entities")
    entity = first_href(phone, "table a")
    phone.goto(base + "/claims")
    group = first_href(phone, ".group h2 a")
    for name, path in [
        ("phone-dashboard", "/"),
        ("phone-reader", reader),
        ("phone-claims", "/claims"),
        ("phone-claim", group),
        ("phone-map", "/map"),
        ("phone-timeline", "/timeline"),
        ("phone-entities", "/entities"),
        ("phone-entity", entity),
        ("phone-quotes", "/quotes"),
        ("phone-search", "/search?q=grain"),
        ("phone-problems", "/problems"),
        ("phone-articles", "/articles"),
        ("phone-analyze", "/analyze"),
        ("phone-not-found", "/no/such/page"),
    ]:
        phone.goto(base + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        shot(phone, name, full=True)
    # Table cells break between words, not inside them: a date or a place name stays whole.
    for path, cell in [("/timeline", "table.events td.nowrap"), ("/map", "table.places td:first-child")]:
        phone.goto(base + path)
        broken = phone.evaluate(
            """(selector) => [...document.querySelectorAll(selector)].filter(td => {
                const range = document.createRange();
                range.selectNodeContents(td.firstChild);
                const word = !/\\s/.test(td.firstChild.textContent.trim());
                return word && [...range.getClientRects()].length > 1;
            }).map(td => td.textContent)""",
            cell,
        )
        assert broken == [], (path, broken)
    context.close()


def test_a_quote_from_the_quotes_page_lands_on_its_sentence(site: dict[str, Any], page: Page) -> None:
    page.goto(site["url"] + "/quotes?hedged=1")
    rows = page.locator("ul.quotes > li")
    assert rows.count() >= 1
    for text in rows.all_inner_texts():
        assert "hedge:" in text, text
    rows.first.locator("a").first.click()
    page.wait_for_load_state("load")
    assert page.evaluate("location.hash").startswith("#att-")
    assert page.locator(".current").count() >= 1
    shot(page, "quote-landing")


def test_error_pages_are_pages_in_the_browser(site: dict[str, Any], page: Page) -> None:
    response = page.goto(site["url"] + "/no/such/page")
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Not found"
    page.get_by_role("link", name="Back to the dashboard").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Dashboard"
    shot(page, "after-not-found")


def test_an_article_pasted_into_the_analyse_page_is_shown_highlighted(
    site: dict[str, Any], page: Page
) -> None:
    page.goto(site["url"] + "/analyze")
    page.fill(
        "#paste",
        "Officials in Lagos said on Tuesday that the new bridge would open in May. "
        '"We are ready," Mayor Tunde Bakare told reporters.',
    )
    page.fill("#published", "2025-04-01")
    page.locator("form.analyze button").click()
    page.wait_for_load_state("load")
    assert "analysed here, not stored" in page.locator(".reader header").inner_text()
    assert page.locator("#text .att").count() >= 1
    assert page.locator("#text .plc").count() >= 1
    shot(page, "analyzed")


def test_the_analyse_button_says_it_is_working_once_pressed(site: dict[str, Any], page: Page) -> None:
    page.goto(site["url"] + "/analyze")
    page.fill("#paste", "Rain fell on Monday, officials said.")
    # Held back after the app's own handler ran, so that the page stays to be looked at.
    page.evaluate("() => { document.querySelector('form.analyze').onsubmit = (e) => e.preventDefault(); }")
    button = page.locator("form.analyze button")
    button.click()
    assert button.is_disabled() and button.inner_text() == "Analysing…"
    assert page.locator("form.analyze").get_attribute("aria-busy") == "true"


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: The axe-core rule sets checked: WCAG 2.1 A and AA (contrast, labels, names, landmarks...)
#: and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def test_every_page_passes_the_axe_accessibility_rules(site: dict[str, Any], browser: Browser) -> None:
    """axe-core (npm, a devDependency: test-only, never served) on every kind of page at
    desktop and phone width: no violation of any impact."""
    if not AXE.exists():
        assert not os.environ.get("CI"), f"{AXE} missing: run `npm ci` at the repository root"
        pytest.skip(f"axe-core is not installed at {AXE} (npm ci at the repository root)")
    base = site["url"]
    found: list[tuple[int, str, str, int, str]] = []
    for width in (1280, 390):
        # The rules engine is injected as a script tag, which the pages' CSP would refuse.
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        page = context.new_page()
        page.goto(base + "/claims")
        article, group = first_href(page, ".claim-link"), first_href(page, ".group h2 a")
        page.goto(base + "/entities")
        entity = first_href(page, "table a")
        paths = ["/", "/articles", article, "/entities", entity, "/quotes", "/claims", group, "/map"]
        paths += ["/timeline", "/search", "/search?q=grain", "/problems", "/analyze", "/no/such/page"]
        for path in paths:
            page.goto(base + path)
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
            )
            found += [
                (width, path, v["id"], len(v["nodes"]), str(v["nodes"][0]["target"]))
                for v in result["violations"]
            ]
        context.close()
    assert found == [], found
