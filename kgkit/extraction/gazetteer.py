"""The gazetteer: known organizations, projects and events, found in text in one pass.

Built from the CNCF landscape snapshot (``data/reference/cncf-landscape.yml``) and the curated
``data/entities.yaml``; matching uses one Aho-Corasick automaton (pyahocorasick) over the lower-cased
text, then keeps whole-word matches whose letter case fits the name (see :meth:`Gazetteer.find`).

>>> gz = load_gazetteer()
>>> [m.entry.name for m in gz.find("Kepler and Grafana at Deutsche Bahn")]
['Kepler', 'Grafana', 'Deutsche Bahn']
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from kgkit import resources
from kgkit.errors import InputError, OutputError
from kgkit.extraction.models import english_words
from kgkit.rdf.files import atomic_write
from kgkit.rdf.terms import slug

DATA_DIR = resources.data_dir()
_SUFFIX = re.compile(r"\s*\((?:member|supporter|contributor|KCSP|KCNTP|end user)\)\s*$", re.I)
_ACRONYM = re.compile(r"^(?P<name>.+?)\s*\((?P<short>[A-Za-z0-9][\w.+-]{1,15})\)$")
_VOWEL = re.compile(r"[aeiouy]")
_SOFT_BREAK = re.compile(r"(?<=\S)\n(?=\S)")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_ORG_CATEGORIES = {"CNCF Members"}
_ORG_SUBCATEGORIES = {"Kubernetes Certified Service Provider", "Kubernetes and Cloud Native Training Partner"}


@dataclass
class Entry:
    """One known entity and everything the reference data says about it."""

    kind: str  # "org", "project" or "event"
    name: str
    aliases: list[str] = field(default_factory=list)
    source: str = "curated"  # "curated" or "landscape"
    url: str | None = None
    repo: str | None = None
    maturity: str | None = None
    category: str | None = None
    org_kind: str | None = None
    part_of: str | None = None
    organizer: str | None = None
    co_located: bool | None = None
    editions: bool = False
    ambiguous: bool = False
    company: bool = False  # a landscape product named as its own company ("Snyk", "Okteto")

    @property
    def may_be_org(self) -> bool:
        """Can a mention of this entry name an organization where the grammar wants one ("X from Y")?
        A company's eponymous product and a web service can ("Jane Doe from Snyk", "staff from GitHub");
        a CNCF project or another company's product cannot ("inspiration from Karmada")."""
        if self.kind == "service":
            return True
        if self.kind != "project" or self.maturity:
            return False
        return self.company if self.source == "landscape" else self.org_kind != "open-source project"

    @property
    def key(self) -> str:
        return f"{self.kind}:{slug(self.name)}"


@dataclass(frozen=True)
class Match:
    """A gazetteer hit: characters [start, end) of the text name ``entry``."""

    start: int
    end: int
    text: str
    entry: Entry


class Gazetteer:
    """Known entities by key and by every surface form (name or alias)."""

    def __init__(self, entries: list[Entry], ambiguous: set[str]) -> None:
        self.entries: dict[str, Entry] = {}
        self.ambiguous = ambiguous
        for entry in entries:
            existing = self.entries.get(entry.key)
            if existing is None:
                self.entries[entry.key] = entry
            else:  # curated data comes first and wins; the landscape adds what it knows
                existing.aliases += [a for a in entry.aliases if a not in existing.aliases]
                existing.url = existing.url or entry.url
                existing.repo = existing.repo or entry.repo
                existing.maturity = existing.maturity or entry.maturity
        orgs = {slug(e.name) for e in self.entries.values() if e.kind == "org"}
        for entry in self.entries.values():  # a product named as a member organization is its eponym
            if entry.kind == "project" and entry.source == "landscape" and slug(entry.name) in orgs:
                entry.company = True
        self._automaton = ahocorasick.Automaton()
        surfaces: dict[str, list[tuple[str, str]]] = {}
        for key, entry in self.entries.items():
            for surface in [entry.name, *entry.aliases]:
                if len(surface) < 2 or (len(surface) < 3 and not _CJK.search(surface)):
                    continue
                surfaces.setdefault(lower_keeping_length(surface), []).append((surface, key))
        for low, forms in surfaces.items():
            self._automaton.add_word(low, (low, forms))
        if surfaces:
            self._automaton.make_automaton()

    def get(self, kind: str, name: str) -> Entry | None:
        """The entry of ``kind`` whose name slugs like ``name``."""
        return self.entries.get(f"{kind}:{slug(name)}")

    def lookup(self, surface: str) -> Entry | None:
        """The entry a surface form names exactly (case-insensitively), preferring orgs."""
        found = self._automaton.get(lower_keeping_length(surface), None) if self.entries else None
        if not found:
            return None
        forms = found[1]
        exact = [self.entries[k] for s, k in forms if s == surface] or [self.entries[k] for _, k in forms]
        return sorted(exact, key=lambda e: (e.kind != "org", e.source != "curated"))[0]

    def find(self, text: str, masked: str | None = None, start: int = 0, end: int | None = None) -> list[Match]:
        """Whole-word hits in ``text[start:end]`` whose case fits, longest first, non-overlapping.

        ``masked`` (same length as ``text``, markup blanked) is searched when given.
        """
        hay = (masked if masked is not None else text)[start:end]
        if not self.entries or not hay:
            return []
        low = _SOFT_BREAK.sub(" ", lower_keeping_length(hay))  # a name hard-wrapped at a line end ("Aqua\nSecurity")
        candidates: list[Match] = []
        for last, (surface_low, forms) in self._automaton.iter(low):
            s = last - len(surface_low) + 1
            a, b = start + s, start + last + 1
            if not _CJK.search(surface_low) and not _word_bounded(hay, s, last + 1):
                continue
            seen = text[a:b]
            for surface, key in forms:
                entry = self.entries[key]
                if self._case_ok(surface, seen, entry, hay, s):
                    candidates.append(Match(a, b, seen, entry))
                    break
        candidates.sort(key=lambda m: (-(m.end - m.start), m.start))
        # longest first, each kept unless it overlaps one kept before: the kept ones never overlap, so
        # (sorted by start) only the neighbours of where a candidate would go can overlap it
        starts: list[int] = []
        taken: list[Match] = []
        for m in candidates:
            i = bisect.bisect_left(starts, m.start)
            if (i > 0 and taken[i - 1].end > m.start) or (i < len(taken) and taken[i].start < m.end):
                continue
            starts.insert(i, m.start)
            taken.insert(i, m)
        return taken

    def _case_ok(self, surface: str, seen: str, entry: Entry, hay: str, pos: int) -> bool:
        ambiguous = entry.ambiguous or surface in self.ambiguous
        if ambiguous:
            if seen != surface and not (seen.isupper() and len(seen) >= 3 and not surface.islower()):
                return False
            if seen.istitle() and _NEXT_CAPITALIZED.match(hay, pos + len(seen)):
                return False  # "Salt" of "Salt Lake City": a word of a longer proper name
            return (
                surface.isupper() or seen.isupper() or (not _sentence_initial(hay, pos) and not _title_line(hay, pos))
            )
        if seen == surface:  # a short lower-case name that is a word is the word ("spin"), not "etcd" or "kcp"
            return not (surface.islower() and len(surface) < 5 and surface.isalpha() and _is_word(surface))
        if _CJK.search(surface):
            return True
        if seen.isupper() and len(seen) >= 3:
            return not surface.islower() or len(surface) >= 5
        if seen.islower():  # "spin" is not Spin, "argo" is not Argo; "k8sgpt" is K8sGPT; "加入slack" is Slack
            return (any(c.isdigit() for c in surface) and len(surface) >= 4) or _cjk_neighbour(hay, pos, len(seen))
        return len(surface) >= 5 or surface.islower()  # KubeCost ~ Kubecost, Kube-Green ~ kube-green


_NEXT_CAPITALIZED = re.compile(r"[ \t]+[A-Z][a-z]")


def _is_word(text: str) -> bool:
    """Is ``text`` an English word (by the English pipeline's lexicon; without one, when it has a vowel)?"""
    words = english_words()
    return text in words if words else _VOWEL.search(text) is not None


def lower_keeping_length(text: str) -> str:
    """``text`` lower-cased, character for character, so offsets into it are offsets into ``text``
    ("İ".lower() is two characters: such letters stay as they are)."""
    low = text.lower()
    return low if len(low) == len(text) else "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _word_bounded(hay: str, start: int, end: int) -> bool:
    before = hay[start - 1] if start > 0 else " "
    after = hay[end] if end < len(hay) else " "
    before = " " if _CJK.match(before) else before
    after = " " if _CJK.match(after) else after
    if before.isalnum() or (before in "_-/@." and start > 1 and hay[start - 2].isalnum()):
        return False
    return not (after.isalnum() or after in "_" or (after in "-/" and end + 1 < len(hay) and hay[end + 1].isalnum()))


def _cjk_neighbour(hay: str, pos: int, length: int) -> bool:
    before = hay[:pos].rstrip()[-1:]
    after = hay[pos + length :].lstrip()[:1]
    return bool(_CJK.match(before) or _CJK.match(after))


def _sentence_initial(hay: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and hay[i] in " \t\"“'(*":
        i -= 1
    return i < 0 or hay[i] in ".!?\n:|–—"


def _title_line(hay: str, pos: int) -> bool:
    """Is ``pos`` inside a Title Case line (a heading or talk title), where every word is capitalized?"""
    line_start = hay.rfind("\n", 0, pos) + 1
    line_end = hay.find("\n", pos)
    line = hay[line_start : line_end if line_end >= 0 else len(hay)]
    if _CJK.search(line):
        return False  # in Chinese or Japanese text every Latin word is a name, capitalized as such
    words = re.findall(r"[A-Za-z][\w'-]*", line)
    long_words = [w for w in words if len(w) > 3]
    return len(words) >= 3 and sum(w[0].isupper() for w in long_words) >= 0.75 * len(long_words)


# ------------------------------------------------------------------------------------------ loading
@functools.lru_cache(maxsize=4)
def load_gazetteer(data_dir: Path = DATA_DIR, cache_dir: Path | None = None) -> Gazetteer:
    """The gazetteer from ``data_dir``/entities.yaml, software.yaml and the landscape snapshot (cached per
    process).

    With ``cache_dir`` (a build's cache), the landscape's entries are kept there as JSON, keyed by the
    snapshot's bytes and this module's code: reading them back takes milliseconds, parsing the 1 MB of
    YAML a few hundred (what a rebuild after one changed document would otherwise spend most on).
    """
    curated = _read_yaml(data_dir / "entities.yaml")
    not_projects = {n.lower() for n in curated.get("not_projects", [])}
    entries: list[Entry] = []
    for item in curated.get("organizations", []):
        entries.append(_entry("org", item))
    software = _read_yaml(data_dir / "software.yaml") if (data_dir / "software.yaml").exists() else {}
    for item in [*curated.get("projects", []), *software.get("projects", [])]:
        entries.append(_entry("project", item))
    for item in curated.get("events", []):
        entries.append(_entry("event", item))
    for item in curated.get("services", []):  # web services: known, so never a person; no project either
        entries.append(_entry("service", item))
    landscape = data_dir / "reference" / "cncf-landscape.yml"
    if landscape.exists():
        kept = _kept_landscape_entries(landscape, cache_dir) if cache_dir else _landscape_entries(landscape)
        entries += [e for e in kept if e.name.lower() not in not_projects]
    ambiguous = set(curated.get("ambiguous_names", []))
    for e in entries:  # a short form that is a plain word ("Apache Spark" -> "Spark") needs its exact case
        ambiguous.update(a for a in e.aliases if e.source == "landscape" and re.fullmatch(r"[A-Z][a-z]+", a))
    return Gazetteer(entries, ambiguous)


def load_curated(data_dir: Path = DATA_DIR) -> dict[str, Any]:
    """The raw curated data (conference series, regions, cities, ...)."""
    return _read_yaml(data_dir / "entities.yaml")


@functools.lru_cache(maxsize=8)
def _read_yaml_cached(path: Path, mtime: float) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=loader)
    except OSError as err:
        raise InputError(f"cannot read reference data: {err.strerror}", path=path) from None
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise InputError(
            f"broken YAML: {getattr(err, 'problem', err)}", path=path, line=mark.line + 1 if mark else None
        ) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping at the top level", path=path)
    return data


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise InputError("reference data file is missing", path=path) from None
    return _read_yaml_cached(path, mtime)


def _entry(kind: str, item: dict[str, Any]) -> Entry:
    return Entry(
        kind=kind,
        name=item["name"],
        aliases=list(item.get("aliases") or []),
        url=item.get("url"),
        org_kind=item.get("kind"),
        part_of=item.get("part_of"),
        organizer=item.get("organizer"),
        co_located=item.get("co_located"),
        editions=bool(item.get("editions")),
        ambiguous=bool(item.get("ambiguous")),
    )


def _kept_landscape_entries(path: Path, cache_dir: Path) -> list[Entry]:
    """:func:`_landscape_entries`, kept in ``cache_dir``; a missing, stale or damaged copy is made again,
    and one that cannot be written is simply not kept."""
    try:
        key = hashlib.sha1(path.read_bytes() + Path(__file__).read_bytes()).hexdigest()[:16]
    except OSError:
        return _landscape_entries(path)  # _read_yaml names the file in its error
    kept = cache_dir / f"landscape-{key}.entries"
    with contextlib.suppress(OSError, ValueError, TypeError):
        return [Entry(**item) for item in json.loads(kept.read_text(encoding="utf-8"))]
    entries = _landscape_entries(path)
    with contextlib.suppress(OSError, OutputError):
        for stale in cache_dir.glob("landscape-*.entries"):
            stale.unlink(missing_ok=True)
        with atomic_write(kept, durable=False) as fh:  # whole or absent
            fh.write(json.dumps([asdict(e) for e in entries]))
    return entries


def _landscape_entries(path: Path) -> list[Entry]:
    data = _read_yaml(path)
    out: list[Entry] = []
    for category in data.get("landscape") or []:
        for sub in category.get("subcategories") or []:
            is_org = category.get("name") in _ORG_CATEGORIES or sub.get("name") in _ORG_SUBCATEGORIES
            for item in sub.get("items") or []:
                raw = _SUFFIX.sub("", str(item.get("name", ""))).strip()
                if not raw:
                    continue
                aliases: list[str] = []
                m = _ACRONYM.match(raw)
                if m:
                    raw = m.group("name").strip()
                    short = m.group("short")
                    if short.isupper() or any(c.isdigit() for c in short):
                        aliases.append(short)
                aliases += _short_forms(raw, item)
                out.append(
                    Entry(
                        kind="org" if is_org else "project",
                        name=raw,
                        aliases=aliases,
                        source="landscape",
                        url=item.get("homepage_url"),
                        repo=item.get("repo_url"),
                        maturity=item.get("project"),
                        category=f"{category.get('name')} / {sub.get('name')}",
                        company=not is_org and _fold(_crunchbase(item)) == _fold(raw),
                    )
                )
    return out


def _fold(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _crunchbase(item: dict[str, Any]) -> str:
    """The organization a landscape item's Crunchbase link names ("cloud-native-computing-foundation"),
    without a legal form ("pulumi-corporation" -> "pulumi")."""
    name = str(item.get("crunchbase") or "").rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"-(?:inc|corporation|corp|labs|gmbh|ltd|llc|io|hq|software|technologies)$", "", name)


def _short_forms(name: str, item: dict[str, Any]) -> list[str]:
    """Other names a landscape product goes by: without its vendor's name when the rest is a name of its
    own ("Red Hat OpenShift" -> "OpenShift", "Apache Hadoop" -> "Hadoop"), and an Apache project with
    the foundation's name ("SkyWalking" at skywalking.apache.org -> "Apache SkyWalking")."""
    words = name.split()
    vendor = _fold(_crunchbase(item))
    out: list[str] = []
    for k in range(1, len(words)):
        if _fold(" ".join(words[:k])) in (vendor, "apache"):
            rest = words[k:]
            apache = words[0] == "Apache" and k == 1
            if len(rest) == 1 and (apache or re.search(r"[a-z][A-Z]|^[a-z]+[A-Z]", rest[0])) and len(rest[0]) >= 4:
                out.append(rest[0])
            break
    home = str(item.get("homepage_url") or "")
    if len(words) == 1 and re.match(r"https?://[\w.-]+\.apache\.org\b", home):
        out.append(f"Apache {name}")
    return out
