"""The times stage on the error classes seen on real articles (hand-written sentences).

Weekdays and months take past or future from the verb (or, modifying a noun, the nearest
day, past first); clock times take their sentence's day, or the day before a publication that
came earlier in the day; "N years ago" is a year; "a second" followed by a noun is an ordinal.
"""

from __future__ import annotations

import pytest

from newsgraph.model import Article
from newsgraph.stages.times import make_stage


def run(nlp, text: str, published: str):  # type: ignore[no-untyped-def]
    a = Article(text=text)
    a.metadata.published = published
    a.doc = nlp(a.masked_text())
    return {t.text: (t.value, t.type) for t in make_stage()(a).times}


WEDNESDAY = "2025-03-05"  # a Wednesday


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "published", "expr", "value"),
    [
        # A weekday modifying a noun: the next one when it is at most two days ahead.
        ("Traders waited for the publication Friday of the February payroll figures.", WEDNESDAY,
         "Friday", "2025-03-07"),
        # ... else the past one.
        ("Shares fell after Monday's ruling by the appeals court.", WEDNESDAY, "Monday", "2025-03-03"),
        # An infinitive under a past verb is past ...
        ("The permit had been due to lapse Tuesday.", WEDNESDAY, "Tuesday", "2025-03-04"),
        # ... unless the verb looks ahead.
        ("The delegation planned to fly out on Friday.", WEDNESDAY, "Friday", "2025-03-07"),
        # A month in a November article: past tense keeps this year, future takes next year.
        ("The mayor resigned in May.", "2024-11-20", "May", "2024-05"),
        ("The new line will open in May.", "2024-11-20", "May", "2025-05"),
        # A month a few weeks ahead stays in this year even in the past tense.
        ("The summit was planned for early January.", "2024-12-10", "early January", "2025-01"),
        # A passive present is not past.
        ("The appeal opens when the case is heard in April.", "2024-03-01", "April", "2024-04"),
        # A month-day far away follows the tense: "last seen Nov. 3" in May is last November.
        ("The suspect was last seen Nov. 3 near the border.", "2025-05-06", "Nov. 3", "2024-11-03"),
        # "N years ago" is a year, with or without a hedge.
        ("The dam burst almost three years ago.", "2025-03-05", "almost three years ago", "2022"),
        # ... and so is "a decade ago"; hedged, TimeBank writes the duration.
        ("The mill closed a decade ago.", "2025-03-05", "a decade ago", "2015"),
        ("The mill closed two decades ago.", "2025-03-05", "two decades ago", "2005"),
        ("The mill closed more than four decades ago.", "2025-03-05", "more than four decades ago",
         "P40Y"),
        # Relative days are anchored to the publication date, not to the last date mentioned.
        ("The treaty was signed on March 3, 2019. On Friday, officials met again.", WEDNESDAY,
         "Friday", "2025-02-28"),
        # Years said in words (broadcast transcripts).
        ("Prices peaked in nineteen ninety-six.", "1998-03-03", "nineteen ninety-six", "1996"),
        ("It was colder in the winter of nineteen ninety-four.", "1998-03-03",
         "the winter of nineteen ninety-four", "1994-WI"),
        ("Few expected the year two thousand to go smoothly.", "1998-03-03", "the year two thousand",
         "2000"),
        # "that year" is the year last named, not the publication year.
        ("The mill opened in 1988. Later that year it was sold.", "1995-06-01", "Later that year",
         "1988"),
        # "current" alone, "the full year" and "the current fiscal year" of a report.
        ("The current rules lapse soon.", "2025-03-05", "current", "PRESENT_REF"),
        ("Profit for the full year will fall.", "2025-03-05", "the full year", "2025"),
        ("Sales in the current fiscal year rose.", "2025-03-05", "the current fiscal year", "2025"),
        # A month with "last year" / "this year" is that month, not just the year.
        ("The rebels split in June last year.", "2025-03-05", "June last year", "2024-06"),
        # In an earnings report, "a year ago" is the quarter named, a year back.
        ("Profit in the second quarter was $3 million, against $2 million a year ago.", "2025-08-01",
         "a year ago", "2024-Q2"),
        # A deadline is ahead whatever the verb's tense; "not until" looks back.
        ("Officials postponed until Tuesday any decision on the permit.", WEDNESDAY, "Tuesday",
         "2025-03-11"),
        ("The crew could leave as soon as Tuesday, the captain said.", WEDNESDAY, "Tuesday",
         "2025-03-11"),
        ("It was not until Tuesday that the minister spoke.", WEDNESDAY, "Tuesday", "2025-03-04"),
        # "could" is also the past of "can": a weekday under it is the nearest one.
        ("The two brothers could not be reached Tuesday at their farm.", WEDNESDAY, "Tuesday",
         "2025-03-04"),
        # Anchored to the day or month last named, not to the publication date.
        ("The mayor was shot on Oct. 23, 1998. Earlier that day, his office had received a fax.",
         "1999-10-24", "Earlier that day", "1998-10-23"),
        ("He was arrested on March 2, 2021, and appeared in court the next morning.", WEDNESDAY,
         "the next morning", "2021-03-03TMO"),
        ("In March the board urged a sale. The following month, the company put itself up for sale.",
         "1989-10-27", "The following month", "1989-04"),
        # With no day named, "that day" is not guessed.
        ("Nobody remembers what happened that day.", WEDNESDAY, "that day", None),
        # "the year-ago third quarter" is last year's; "just a decade ago" is no hedge.
        ("Net income in the year-ago third quarter was $2 million.", "1989-10-30",
         "the year-ago third quarter", "1988-Q3"),
        ("The wall fell just a decade ago.", "1999-03-12", "just a decade ago", "1989"),
        # A month with no verb to go by looks back unless it is only a few months ahead.
        ("The stock rose to a high of $42 a share in June from $29.75 in March.", "1989-10-30",
         "March", "1989-03"),
        # "over the past year" is dated to the year before publication, as TimeBank does.
        ("Hate groups grew over the past year.", "1998-03-03", "the past year", "1997"),
        # A month naming a thing ("a June agreement") has no tense: the nearest such month.
        ("The bank is trying to sell itself under a June agreement with its holders.", "2023-10-27",
         "June", "2023-06"),
        # An infinitive of an agreement or plan looks ahead even under a past verb.
        ("The company announced an agreement to acquire the bank in January.", "2023-11-02",
         "January", "2024-01"),
        # "the previous Friday": the one before the day last named.
        ("Shares closed lower on Friday, Oct. 27. They were down 4% from the previous Friday.",
         "2023-10-30", "the previous Friday", "2023-10-20"),
        ("Riots broke out a week or so ago.", "2025-03-05", "a week or so ago", "2025-W09"),
        ("Earnings will be lower for the last half of 1989.", "1989-10-26", "the last half of 1989",
         "1989-H2"),
        ("She is a 20th century democrat.", "1998-02-13", "20th century", "19"),
    ],
)  # fmt: skip
def test_tense_and_anchors(nlp, text: str, published: str, expr: str, value: str) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, text, published)
    assert got.get(expr, (None,))[0] == value, got


@pytest.mark.slow
def test_spelled_numbers_that_are_no_years_stay_untagged(nlp) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, "Nineteen eighty people and two thousand troops came; that year is unknown.", WEDNESDAY)
    assert not any("eighty" in k or "thousand" in k or "that year" in k for k in got), got


@pytest.mark.slow
def test_a_second_before_a_noun_is_an_ordinal(nlp) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, "A second complaint reached the board, and a second inquiry began.", WEDNESDAY)
    assert not any(v == ("PT1S", "DURATION") for v in got.values()), got
    got = run(nlp, "The lights went out for a second and then came back.", WEDNESDAY)
    assert got.get("a second") == ("PT1S", "DURATION"), got


@pytest.mark.slow
def test_clock_time_takes_its_sentence_day(nlp) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, "The tremor struck at about 4:20 a.m. (0920 GMT) Monday, shaking the old town.", WEDNESDAY)
    assert got["4:20 a.m."][0] == "2025-03-03T04:20", got


@pytest.mark.slow
def test_clock_time_after_the_publication_time_was_the_day_before(nlp) -> None:  # type: ignore[no-untyped-def]
    text = "Polls closed at 8 p.m. and the first results came in at 10 p.m. The count resumes at 9 a.m."
    got = run(nlp, text, "2024-11-06T06:30:00")
    assert got["8 p.m."][0] == "2024-11-05T20:00", got
    assert got["10 p.m."][0] == "2024-11-05T22:00", got
    # Earlier in the day than the publication, or looking ahead: the publication's day.
    assert got["9 a.m."][0] == "2024-11-06T09:00", got
    # A date-only publication changes nothing.
    assert run(nlp, text, "2024-11-06")["10 p.m."][0] == "2024-11-06T22:00"


@pytest.mark.slow
def test_a_quarter_of_something_is_a_fraction(nlp) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, "Funds hold more than a quarter of the market. Sales fell in the quarter.", WEDNESDAY)
    assert "more than a quarter" not in got and "a quarter" not in got, got


@pytest.mark.slow
def test_the_year_of_a_report_is_the_publication_year(nlp) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, "For the year, cereal volume was flat, the company said.", "2024-11-06")
    assert got["the year"] == ("2024", "DATE")
    got = run(nlp, "Revenue for the year ended June 30 rose 4%.", "2024-11-06")
    assert got["the year"] == ("P1Y", "DURATION")
    # Not a date: an award, the year before, the year-ago quarter.
    got = run(nlp, "She was named Person of the Year by the magazine.", "2024-11-06")
    assert "the Year" not in got
    got = run(nlp, "Sales fell from $450 million the year before.", "2024-11-06")
    assert "the year" not in got


@pytest.mark.slow
def test_year_end_looks_ahead_or_back(nlp) -> None:  # type: ignore[no-untyped-def]
    got = run(nlp, "The merger should be completed by year-end.", "2024-10-30")
    assert got["year-end"] == ("2024-12-31", "DATE")
    got = run(nlp, "The index has risen 12% since year-end.", "2024-10-30")
    assert got["year-end"] == ("2023-12-31", "DATE")
    got = run(nlp, "Year-end bonuses were cut.", "2024-10-30")
    assert "Year-end" not in got


@pytest.mark.slow
def test_the_latest_quarter_has_been_reported(nlp) -> None:  # type: ignore[no-untyped-def]
    text = (
        "The company gave no estimate of the storm's impact on fourth-quarter results. "
        "In the latest quarter, it lost $23 million."
    )
    got = run(nlp, text, "2024-10-30")
    assert got["fourth-quarter"][0] == "2024-Q4"
    assert got["the latest quarter"] == ("2024-Q3", "DATE")
