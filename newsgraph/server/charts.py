"""Small charts drawn server-side as SVG geometry: the world map, the timeline, activity bars.

>>> bars = activity([("2025-03-17", 2), ("2025-03-18", 1)])
>>> [b.label for b in bars.bars]
['2025-03-17', '2025-03-18']

Nothing here builds markup: functions return numbers and path strings made of numbers,
which the templates place in ``<svg>`` elements.

The world outline comes from the npm package ``world-atlas`` (Natural Earth 1:110m country
shapes as TopoJSON, public domain; the package is ISC), installed by ``npm ci`` at the
repository root (``package.json``) or found through ``NEWSGRAPH_WORLD_ATLAS`` (the path of
``countries-110m.json``). Without it the map draws a graticule only and says so.
"""

from __future__ import annotations

import itertools
import json
import math
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["Activity", "WorldMap", "activity", "atlas_path", "timeline", "world_map"]

MAP_WIDTH = 960.0
MAP_HEIGHT = 480.0
ATLAS_FILE = "countries-110m.json"


def atlas_path() -> Path | None:
    """Where ``world-atlas``'s ``countries-110m.json`` is installed, or None."""
    configured = os.environ.get("NEWSGRAPH_WORLD_ATLAS")
    if configured:
        path = Path(configured)
        return path if path.is_file() else None
    for root in (Path(__file__).resolve().parents[2], Path.cwd()):
        path = root / "node_modules" / "world-atlas" / ATLAS_FILE
        if path.is_file():
            return path
    return None


def project(lat: float, lon: float) -> tuple[float, float]:
    """Equirectangular: longitude -180..180 -> 0..960, latitude 90..-90 -> 0..480."""
    return (lon + 180.0) * MAP_WIDTH / 360.0, (90.0 - lat) * MAP_HEIGHT / 180.0


@lru_cache(maxsize=2)
def _outline(path: str, mtime: float) -> tuple[str, ...]:
    """SVG path data, one per country, decoded from the TopoJSON at ``path``."""
    topo = json.loads(Path(path).read_text(encoding="utf-8"))
    scale = topo.get("transform", {}).get("scale", [1.0, 1.0])
    translate = topo.get("transform", {}).get("translate", [0.0, 0.0])
    arcs: list[list[tuple[float, float]]] = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append(project(y * scale[1] + translate[1], x * scale[0] + translate[0]))
        arcs.append(points)

    def ring(indices: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for i in indices:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        if len(points) < 3:
            return ""
        # A ring crossing the antimeridian jumps across the map: lift the pen there, starting
        # the ring just after a jump so that each piece closes along the map's edge.
        if points[0] == points[-1]:
            points.pop()
        jumps = [i for i in range(1, len(points)) if abs(points[i][0] - points[i - 1][0]) > MAP_WIDTH / 2]
        if jumps:
            points = points[jumps[0] :] + points[: jumps[0]]
        out = [f"M{points[0][0]:.1f},{points[0][1]:.1f}"]
        for (x0, _), (x1, y1) in itertools.pairwise(points):
            out.append(f"{'M' if abs(x1 - x0) > MAP_WIDTH / 2 else 'L'}{x1:.1f},{y1:.1f}")
        return "".join(out) + "Z"

    shapes = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        elif geometry.get("type") != "MultiPolygon":
            continue
        shapes.append("".join(ring(r) for polygon in polygons for r in polygon))
    return tuple(s for s in shapes if s)


@dataclass
class Point:
    x: float
    y: float
    r: float
    place: dict[str, Any]


@dataclass
class WorldMap:
    width: float
    height: float
    countries: tuple[str, ...]
    graticule: list[str]
    points: list[Point]
    outline: bool  # False when world-atlas is not installed


def world_map(places: list[dict[str, Any]]) -> WorldMap:
    """The outline map with one circle per place, its area proportional to its mentions."""
    path = atlas_path()
    countries = _outline(str(path), path.stat().st_mtime) if path is not None else ()
    graticule = []
    for lon in range(-180, 181, 30):
        x, _ = project(0, lon)
        graticule.append(f"M{x:.1f},0V{MAP_HEIGHT:.0f}")
    for lat in range(-60, 61, 30):
        _, y = project(lat, 0)
        graticule.append(f"M0,{y:.1f}H{MAP_WIDTH:.0f}")
    most = max((p["mentions"] for p in places), default=1)
    points = []
    # Largest first so that small circles stay on top and clickable.
    for place in sorted(places, key=lambda p: -p["mentions"]):
        x, y = project(place["lat"], place["lon"])
        points.append(
            Point(round(x, 1), round(y, 1), round(2.5 + 12.0 * math.sqrt(place["mentions"] / most), 1), place)
        )
    return WorldMap(MAP_WIDTH, MAP_HEIGHT, countries, graticule, points, path is not None)


@dataclass
class Bar:
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass
class Activity:
    width: float
    height: float
    bars: list[Bar] = field(default_factory=list)
    most: int = 0


def activity(counts: list[tuple[str, int]], width: float = 480.0, height: float = 90.0) -> Activity:
    """Bars for ``(label, count)`` pairs in the order given (labels are dates or months)."""
    if not counts:
        return Activity(width, height)
    most = max(c for _, c in counts) or 1
    step = width / len(counts)
    bars = [
        Bar(
            label,
            count,
            round(i * step + 1, 1),
            round(height - height * count / most, 1),
            round(max(step - 2, 1), 1),
            round(height * count / most, 1),
        )
        for i, (label, count) in enumerate(counts)
    ]
    return Activity(width, height, bars, most)


def by_period(dates: list[str]) -> list[tuple[str, int]]:
    """Counts per day, or per month when the dates fall in more than two months."""
    days = sorted(d[:10] for d in dates if d and len(d) >= 10)
    width = 7 if len({d[:7] for d in days}) > 2 else 10
    return sorted(Counter(d[:width] for d in days).items())


@dataclass
class Mark:
    x: float
    y: float
    event: dict[str, Any]


@dataclass
class Lane:
    category: str
    y: float
    marks: list[Mark]


@dataclass
class Timeline:
    width: float
    height: float
    left: float
    lanes: list[Lane]
    ticks: list[tuple[float, str]]
    undated: int


def timeline(
    events: list[dict[str, Any]], width: float = 900.0, lane: float = 28.0, left: float = 150.0
) -> Timeline:
    """One lane per category, one mark per dated event (its date, else its article's)."""
    dated = []
    undated = 0
    for event in events:
        day = (event.get("date") or event.get("published") or "")[:10]
        try:
            ordinal = _ordinal(day)
        except ValueError:
            undated += 1
            continue
        dated.append((ordinal, day, event))
    categories = sorted({e["category"] for _, _, e in dated})
    if not dated:
        return Timeline(width, lane, left, [], [], undated)
    first = min(o for o, _, _ in dated)
    last = max(o for o, _, _ in dated)
    span = max(last - first, 1)
    inner = width - left - 20

    def x_of(ordinal: int) -> float:
        return round(left + inner * (ordinal - first) / span, 1)

    lanes = []
    for n, category in enumerate(categories):
        y = round(lane * n + lane / 2 + 4, 1)
        marks = [Mark(x_of(o), y, e) for o, _, e in dated if e["category"] == category]
        lanes.append(Lane(category, y, marks))
    from datetime import date

    count = min(6, span + 1)
    ticks = [
        (
            x_of(first + round(span * k / max(count - 1, 1))),
            date.fromordinal(first + round(span * k / max(count - 1, 1))).isoformat(),
        )
        for k in range(count)
    ]
    return Timeline(width, lane * len(categories) + 30, left, lanes, ticks, undated)


def _ordinal(day: str) -> int:
    from datetime import date

    if len(day) == 7:
        day += "-01"
    elif len(day) == 4:
        day += "-01-01"
    return date.fromisoformat(day).toordinal()
