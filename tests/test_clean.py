"""Cleaning records boilerplate as removed ranges, never rewrites text, and marks subheads."""

from __future__ import annotations

from newsgraph.model import Article
from newsgraph.stages.clean import CleanStage

BODY = (
    "Talks between the two governments resumed in Oslo on Monday, officials said.\n"
    "The foreign minister said the first session had been constructive.\n"
    "‘A fragile opening’\n"
    "Diplomats fear the talks could stall over the question of prisoners.\n"
)


def clean(text: str) -> Article:
    return CleanStage()(Article(text=text))


def test_promotion_footer_is_removed_with_reason_and_text_untouched() -> None:
    footer = (
        "Broaden your horizons with award-winning journalism. Try The Courier free for 3 months "
        "with unlimited access to our website, exclusive app and more."
    )
    text = BODY + footer
    article = clean(text)
    assert article.text == text
    assert len(article.removed) == 1
    removed = article.removed[0]
    assert removed.reason == "promotion"
    assert text[removed.start : removed.end] == footer


def test_each_kind_of_furniture_gets_its_reason() -> None:
    lines = {
        "Sign up to our daily briefing newsletter for the top stories in your inbox.": "newsletter",
        "Read more: Why the talks matter": "read_more",
        "Photo: Delegates arrive at the venue. Credit: Staff": "photo_credit",
        "Share this article": "share",
        "Advertisement": "advertisement",
    }
    text = BODY + "\n".join(lines) + "\nThe talks continue on Tuesday, a spokesman said.\n"
    article = clean(text)
    found = {text[r.start : r.end]: r.reason for r in article.removed}
    assert found == lines


def test_story_paragraphs_that_mention_subscriptions_are_kept() -> None:
    story = (
        "The ministry said subscribers to the state broadcaster would see their fees frozen for a year, "
        "a decision that opposition leaders described as an attempt to buy votes before the election, "
        "while the regulator warned that the cost of the freeze would fall on taxpayers and that "
        "the broadcaster's unlimited access to public funds had to end.\n"
    )
    assert clean(BODY + story).removed == []


def test_subhead_is_marked_but_not_the_headline_or_sentences() -> None:
    text = "Talks resume in Oslo\n" + BODY
    article = clean(text)
    assert [s.text for s in article.subheads] == ["‘A fragile opening’"]
    sub = article.subheads[0]
    assert text[sub.start : sub.end] == sub.text


def test_masked_text_blanks_removed_ranges_and_keeps_offsets() -> None:
    text = BODY + "Subscribe now for unlimited access.\nThe end, he said.\n"
    article = clean(text)
    masked = article.masked_text()
    assert len(masked) == len(text)
    assert "Subscribe" not in masked and "The end, he said." in masked
    r = article.removed[0]
    assert article.in_removed(r.start, r.start + 1) and not article.in_removed(0, 10)


def test_link_lists_are_removed_but_not_the_story_or_a_lone_subhead() -> None:
    text = (
        "Rebels seize northern town\n"
        "Rebel fighters attacked the garrison in Valdora on Sunday, officials said.\n"
        "A turning point\n"
        "The army said it would send reinforcements within days.\n"
        "More from the region\n"
        "Ministers clash over border deal\n"
        "Police arrest protest leaders in capital\n"
        "Floods force thousands from their homes\n"
    )
    article = clean(text)
    links = [text[r.start : r.end] for r in article.removed if r.reason == "link_list"]
    assert links == [
        "More from the region",
        "Ministers clash over border deal",
        "Police arrest protest leaders in capital",
        "Floods force thousands from their homes",
    ]
    assert [s.text for s in article.subheads] == ["A turning point"]


def test_headlines_after_a_read_more_line_are_removed() -> None:
    text = (
        "Talks resume in Geneva\n"
        "Negotiators returned to the table on Tuesday.\n"
        "Read more:\n"
        "Shelling near the port threatens the talks\n"
        "The story continues with more detail about the negotiations.\n"
    )
    article = clean(text)
    reasons = {text[r.start : r.end]: r.reason for r in article.removed}
    assert reasons["Shelling near the port threatens the talks"] == "link_list"
    assert "The story continues with more detail about the negotiations." not in reasons
