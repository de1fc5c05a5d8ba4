"""The places and times evaluations list their mistakes for the TUNE part only.

The report part is measured, never studied: its misses must not be printed (or put in the
JSON report), or rules would end up fitted to it. The documents here are written for this
test; only their ids come from the committed split lists, so that one falls in each part.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsgraph.core import Newsgraph
from newsgraph.evaluation import places, times
from newsgraph.evaluation.splits import parts


def _ids(name: str) -> tuple[str, str]:
    table = parts(name)
    tune = next(i for i, p in sorted(table.items()) if p == "tune")
    report = next(i for i, p in sorted(table.items()) if p == "report")
    return tune, report


def _geo_xml(path: Path) -> Path:
    # "Springfield" resolved anywhere in the US is far from the gold point put in Australia:
    # a resolution miss in each article.
    text = "Officials met in Springfield on Monday."
    start = text.index("Springfield")
    arts = "".join(
        f'<article file="{doc_id}"><text>{text}</text><toponyms><toponym>'
        f"<extractedName>Springfield</extractedName><start>{start}</start>"
        f"<end>{start + len('Springfield')}</end><type>Literal</type>"
        "<latitude>-33.9</latitude><longitude>151.2</longitude></toponym></toponyms></article>"
        for doc_id in _ids("geowebnews-dev")
    )
    path.write_text(f"<articles>{arts}</articles>", encoding="utf-8")
    return path


def test_places_misses_only_for_the_tune_part(tmp_path: Path) -> None:
    data = _geo_xml(tmp_path / "geo.xml")
    ng = Newsgraph(stages=[])
    tune = places.evaluate(str(data), part="tune", end2end=False, ng=ng)
    assert tune["articles"] == 1
    assert tune["names_given"]["frequent_misses"], "the tune part lists its misses"
    assert "frequent misses" in places.render(tune)
    report = places.evaluate(str(data), part="report", end2end=False, ng=ng)
    assert report["articles"] == 1
    assert report["names_given"]["acc_161"] == 0.0  # the same miss, measured
    assert "frequent_misses" not in report["names_given"]
    assert "frequent misses" not in places.render(report)
    # Even a report dict carrying misses (built by hand) is not rendered with them.
    forged = report | {"names_given": report["names_given"] | {"frequent_misses": [{"gold": "x"}]}}
    assert "frequent misses" not in places.render(forged)


TML = """<?xml version="1.0" ?>
<TimeML>
<DOCID>{doc}</DOCID>
<DCT><TIMEX3 tid="t0" type="DATE" value="1998-01-14" temporalFunction="false"
functionInDocument="CREATION_TIME">01/14/1998</TIMEX3></DCT>
<TEXT>
The board met <TIMEX3 tid="t1" type="DATE" value="1997-12-01">in the winter of 1812</TIMEX3>.
</TEXT>
</TimeML>
"""


@pytest.mark.slow
def test_times_mistakes_only_for_the_tune_part(tmp_path: Path) -> None:
    for doc_id in _ids("timeml"):
        (tmp_path / doc_id).write_text(TML.format(doc=doc_id), encoding="utf-8")
    ng = Newsgraph(stages=["parse", "times"])
    tune = times.evaluate(str(tmp_path), part="tune", ng=ng)
    assert tune["documents"] == 1 and tune["value_accuracy"] == 0.0
    assert tune["mistakes"], "the tune part lists its wrong values"
    assert "tune-part mistakes" in times.render(tune)
    report = times.evaluate(str(tmp_path), part="report", errors=50, ng=ng)
    assert report["documents"] == 1 and report["value_accuracy"] == 0.0  # the same miss, measured
    assert "mistakes" not in report
    assert "mistakes" not in times.render(report)
