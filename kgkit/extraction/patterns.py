"""The vocabulary of extraction: confidences, time zones, months and weekdays, and the regular
expressions the rule components share (names of people and organizations, speaking verbs, talk lines)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from rdflib import Literal

from kgkit.documents.document import Document
from kgkit.extraction.speakers import COMMON_NOUNS
from kgkit.rdf.terms import KG

#: rdflib's Literal, remembered: building one checks and converts its value (~4 µs), and the same
#: names, days and times recur across a corpus's documents (typed: 1, 1.0 and True stay apart)
literal = lru_cache(maxsize=1 << 14, typed=True)(Literal)


# confidence by method
CONF_STRUCTURE = 0.95


CONF_GAZETTEER = 0.9


CONF_PATTERN = 0.75


CONF_WEAK = 0.6


KIND_CLASS = {
    "org": KG.Organization,
    "project": KG.Project,
    "service": KG.Service,
    "event": KG.Event,
    "person": KG.Person,
    "conference": KG.Conference,
    "session": KG.Session,
    "place": KG.Place,
}


TZ_OFFSETS = {
    "CET": "+01:00",
    "CEST": "+02:00",
    "WET": "+00:00",
    "WEST": "+01:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "BST": "+01:00",
    "GMT": "+00:00",
    "UTC": "+00:00",
    "Z": "+00:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
    "IST": "+05:30",
    "JST": "+09:00",
    "KST": "+09:00",
    "AEST": "+10:00",
    "AEDT": "+11:00",
    "SGT": "+08:00",
}


MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}


MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:tember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)


DAY_HEADING = re.compile(
    rf"\b(?P<wd>{'|'.join(WEEKDAYS)}),?\s+"
    rf"(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m1>{_MONTH})"
    rf"|(?P<m2>{_MONTH})\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?)\b"
)


TIME_RANGE = re.compile(
    r"\b(?P<a>[012]?\d[:.][0-5]\d)\s*(?P<ap>[ap]\.?m\.?)?\s*(?:[-–—]|to)\s*(?P<b>[012]?\d[:.][0-5]\d)"
    r"\s*(?P<bp>[ap]\.?m\.?)?\s*(?P<tz>[A-Z]{1,4}T?|UTC[+-]\d{1,2})?(?![\w])",
    re.I,
)


# "on Thursday, March 21 at 14:30 CET" / "at 2:30pm PST" in a sentence
TIME_AT = re.compile(r"\bat\s+(?P<a>[012]?\d[:.][0-5]\d)\s*(?P<ap>[ap]\.?m\.?)?\s*(?P<tz>[A-Z]{2,4}T?)?\b", re.I)


DATE_RANGE = re.compile(
    rf"\b(?P<d1>\d{{1,2}})\s*[-–]\s*(?P<d2>\d{{1,2}})\s+(?P<m>{_MONTH}),?\s+(?P<y>20\d\d)\b"
    rf"|\b(?P<m2>{_MONTH})\s+(?P<e1>\d{{1,2}})\s*[-–]\s*(?P<e2>\d{{1,2}}),?\s+(?P<y2>20\d\d)\b"
)


SCHED = re.compile(r"https?://(?:sched\.co/[\w-]+|[\w-]+\.sched\.com/event/[\w/%.-]+)")


ATTEND = re.compile(
    r"(?:over|more than|above|almost|nearly|around|some)?\s*\+?"
    r"(?P<n>\d{1,3}(?:[,.]\d{3})+|\d+(?:\.\d)?\s*[kK]|\d{3,6})\+?\s*"
    r"(?:participants|attendees|people attended|visitors|registrants|Teilnehmer(?:innen)?|Besucher"
    r"|participantes|asistentes|名参会者|名与会者|参会者|与会者)"
)


SPEECH = (  # verbs that say an agent spoke, presented or took part in a talk
    r"(?:spoke|speaks|speak|talked|talks about|talking about|presented|presents|shared|shares|discussed"
    r"|discusses|delved|delves|addressed|addresses|elaborated|explained|highlighted|showcased"
    r"|emphasi[sz]ed|emphasi[sz]ing|introduced|demonstrated|announced|opened|led|gave|hosted|outlined"
    r"|explored|put a lot of effort|was on the panel|were on the panel"
    r"|presentó|habló|explicó|mostró|sprach|präsentierte|erklärte|zeigte|a présenté|a parlé|a expliqué)"
)


ROLE_WORDS = (
    r"(?:CEO|CTO|CIO|COO|CPO|CISO|VP of [A-Z][a-z]+|Head of [A-Z][a-z]+|[Ff]ounder|[Cc]o-founder|[Mm]aintainer"
    r"|Principal Engineer|Staff Engineer|Distinguished Engineer|Developer Advocate|Product Manager)"
)


KIND_PREFIX = re.compile(
    r"^(?P<p>(?:Keynote Panel(?: Discussion)?|Keynote|Panel(?: Discussion)?|Lightning Talk|Tutorial|Workshop"
    r"|Talk|Fireside Chat|Sponsored Keynote)\s*:\s*)",
    re.I,
)


PERSON_NAME = (
    r"[A-Z][a-zà-ÿ'’-]+"
    r"(?:[ \t\u00a0](?:(?:van|von|de|da|del|der|di|le|la|bin|ibn)[ \t\u00a0])?[A-Z][a-zà-ÿ'’-]+){1,3}"
)


ORG_NAME = (  # capitalized words, with "for"/"of"/"&" inside ("KCP for Platforms") and "metal-stack Cloud"
    r"(?:[A-Z][\w&.'’-]*|[a-z]+-[a-z]+)"
    r"(?:\s+(?:for\s+|of\s+|&\s+|and\s+(?=[A-Z][\w-]*\s+(?:Group|Cloud|Labs|Foundation)))?"
    r"(?:[A-Z][\w&.'’-]*|[a-z]+-stack))*"
)


STOP_CAPS = {
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "They",
    "We",
    "I",
    "You",
    "He",
    "She",
    "Our",
    "Their",
    "His",
    "Her",
    "In",
    "On",
    "At",
    "For",
    "From",
    "With",
    "And",
    "But",
    "Or",
    "If",
    "When",
    "While",
    "After",
    "Before",
    "During",
    "Day",
    "Even",
    "Next",
    "Also",
    "Some",
    "Many",
    "All",
    "Every",
    "Most",
    "Community",
    "Head",
    "Picture",
    "Reading",
    "Last",
    "Table",
    "Contents",
    "Leave",
    "More",
    "Get",
    "Join",
    "Newsletter",
    "One",
    "Two",
    "Overall",
    "Fortunately",
    "Unfortunately",
    "However",
    "Through",
    "Highlighting",
    "Discover",
    "By",
    "Kudos",
    "Several",
    "Much",
    "Notable",
    "Customer",
    "Stories",
    "Sustainability",
    "Keynote",
    "Panel",
    "Talk",
    "Session",
    "Here",
    "There",
    "Find",
    "Come",
    "TAG",
}


# The sentence patterns of pattern_facts and session_list_facts, compiled once.
_THEME = re.compile(r"theme (?:of (?:the )?day )?was (?P<t>[^,.]+)|(?P<u>[\w ]+) was a key theme")


_HAS_SPEECH = re.compile(SPEECH.replace(" ", r"\s+"))  # a speech verb anywhere: a cheap test before the costly patterns


_SPEAKERS_AFTER_LINK = re.compile(r"\)?\s*(?:[-–—|]|\bby\b)\s*(?P<sp>" + PERSON_NAME + r"\s*,\s*.+)$")


_TALK_LINE = re.compile(
    r"^\s*(?:[*+-]|\d+[.)])?\s*(?P<title>[^\n]{8,200}?)\s+[-–—]\s+(?P<speakers>" + PERSON_NAME + r"\s*,\s*[^\n]+)$"
)


# Name, Role at Org (ACR) / Name from Org / Name (Org)
_AFFILIATED = re.compile(
    rf"(?P<person>{PERSON_NAME})"
    rf"(?:,\s+(?P<role>{ROLE_WORDS}|[A-Z][\w &-]{{2,60}}?)\s+(?:at|of)\s+(?!the\b)"
    rf"|,\s+(?P<role2>[a-zà-ÿ][\w -]{{2,40}}?)\s+(?:de|bei|von|chez|di|da)\s+"  # "ingeniero de Red Hat"
    rf"|\s+from\s+(?:the\s+)?|\s+\((?=[A-Z]))"
    rf"(?P<org>{ORG_NAME})"
)


_ROLE_THEN_NAME = re.compile(rf"\b(?P<role>{ROLE_WORDS})\s+(?P<person>{PERSON_NAME})")


_NAMED_SPEAKERS = re.compile(
    rf"(?:@\w+\s+\((?P<a>{PERSON_NAME})\)|\b(?:the\s+)?speakers?\s+(?P<b>{PERSON_NAME})"
    rf"|\bincluding\s+(?P<c>{PERSON_NAME}(?:,\s+{PERSON_NAME})*))"
)


_NAME_S_SPEECH = re.compile(rf"(?P<person>{PERSON_NAME})[’']s\s+(?:acceptance\s+)?(?:speech|talk|keynote|presentation)")


_AWARD_VERBS = r"(?:taking|took|won|wins|winning|received|receiving)"


_AWARD = re.compile(rf"(?P<org>{ORG_NAME})\s+{_AWARD_VERBS}\s+the\s+[\w\s]*(?:honou?r|award|prize)")


_AWARD_VERB = re.compile(rf"\s{_AWARD_VERBS}\s+the\s")  # in every _AWARD match: a cheap test before it


_DIGIT = re.compile(r"\d")  # in every ATTEND match


_SPEECH_FOLLOWS = re.compile(  # what follows an agent that is the subject of a speech verb
    rf"(?:[’']s\s+\w+|\s+(?:project|application|team|folks|people|group|representatives))?"
    rf"\s*(?:\w+\s+){{0,2}}?{SPEECH}\b"
)


_NAME_THEN_SPEECH = re.compile(rf"(?P<org>{ORG_NAME})\s+(?:\w+\s+){{0,1}}{SPEECH}\b")


NOT_NAME_WORDS = {
    "Principal",
    "Engineer",
    "Senior",
    "Staff",
    "Director",
    "Manager",
    "Lead",
    "Chief",
    "Officer",
    "Founder",
    "Maintainer",
    "Advocate",
    "President",
    "Vice",
    "Architect",
    "Evangelist",
    "Speaker",
    "Keynotes",
    "Foundation",
    "Group",
    "Board",
    "Platform",
    "Platforms",
    "Sustainability",
    "Environmental",
    "Cloud",
    "Technical",
    "Advisory",
    "Developer",
    "Internal",
    "User",
    "Day",
    "Week",
    "Conference",
    "Native",
    "Computing",
    "Engineering",
    "Summit",
    "Project",
    "Projects",
    "Community",
    "Open",
    "Source",
    "Data",
    "Centers",
    "Center",
    "Security",
    "Energy",
    "Kubernetes",
    "Talk",
    "Keynote",
    "Panel",
    "Session",
    "Europe",
    "America",
    "Team",
    "Labs",
    "Inc",
    "Ltd",
    "Award",
    "Awards",
    "Efficiency",
    "Infrastructure",
    "Edge",
    "Green",
    "Swag",
    "Segment",
    "Thoughts",
    "Closing",
}
NOT_NAME_WORDS |= COMMON_NOUNS | {"Lessons", "Learned"}


def is_person_name(name: str) -> bool:
    """Two to four capitalized words, none an acronym or a word that names things rather than people."""
    words = name.split()
    return (
        2 <= len(words) <= 4
        and re.fullmatch(PERSON_NAME, name) is not None
        and words[0] not in STOP_CAPS
        and not any(w in NOT_NAME_WORDS or w.isupper() for w in words)
    )


# ------------------------------------------------------------------------------------------ helpers
def _fold(text: str) -> str:
    return re.sub(r"[^\w]+", "", text).casefold()


def _first_line(doc: Document) -> tuple[int, int]:
    m = re.search(r"\S[^\n]*", doc.text[doc.body_start :])
    return (doc.body_start + m.start(), doc.body_start + m.end()) if m else (0, max(1, len(doc.text)))


def _looks_like_org(name: str) -> bool:
    """An unknown capitalized subject that may be an organization (not "Discussions", "Scaling")."""
    words = name.split()
    if any(w in NOT_NAME_WORDS or w in STOP_CAPS for w in words):
        return False
    return len(words) > 1 or not re.search(r"(?:ions|ings?|ness|ments?|ers|ies|ity|ed|ly|s)$", name)


def _unmask_meta(doc: Document, keys: tuple[str, ...]) -> str:
    """The masked text with the front-matter lines of ``keys`` (title, description) readable again."""
    masked = doc.masked
    for key in keys:
        line = doc.meta_lines.get(key)
        if line:
            a, b = doc.line_span(line)
            masked = masked[:a] + doc.text[a:b] + masked[b:]
    return masked


def _times(m: re.Match[str]) -> tuple[str, str, str | None]:
    """(start, end, zone) in 24-hour HH:MM from a TIME_RANGE match; "2:30 - 3:05pm" is afternoon."""
    a, b = m.group("a").replace(".", ":"), m.group("b").replace(".", ":")
    bp = m.group("bp")
    ap = m.group("ap") or bp
    start, end = _h24(a, ap), _h24(b, bp)
    if not m.group("ap") and bp and start > end:  # "11:30 - 12:05pm": the start was in the morning
        start = _h24(a, "am")
    tz = m.group("tz")
    return start, end, tz.upper() if tz and tz.upper() in TZ_OFFSETS else None


def _h24(t: str, meridiem: str | None) -> str:
    h, mi = (int(x) for x in t.split(":"))
    if meridiem:
        pm = meridiem.lower().startswith("p")
        h = (h % 12) + (12 if pm else 0)
    return f"{h:02d}:{mi:02d}"


def _session_kind(text: str) -> str | None:
    """The kind a title (or the words before a quoted title) states; None when it says nothing."""
    t = text.lower()
    for needle, kind in (
        ("lightning talk", "lightning-talk"),
        ("keynote", "keynote"),
        ("panel", "panel"),
        ("tutorial", "tutorial"),
        ("workshop", "workshop"),
    ):
        if needle in t:
            return kind if not (kind == "keynote" and "panel" in t.split(":")[0]) else "panel"
    return None


def _lines(text: str, start: int) -> Iterator[tuple[int, str]]:
    pos = start
    for line in text[start:].split("\n"):
        yield pos, line
        pos += len(line) + 1
