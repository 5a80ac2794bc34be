"""Dates, times and time zones as write-ups give them, in English and the other languages of the corpus.

>>> find_times("When: Wednesday, March 20 • 15:25 - 16:00")[0][:3]
('15:25', '16:00', None)
>>> find_times("(2:45pm - 3:20pm)")[0][:3], find_times("Happy hour 8-10pm")[0][:3]
(('14:45', '15:20', None), ('20:00', '22:00', None))
>>> find_times("at 5:45pm PDT")[0][:3], find_times("14h30 – 15h00")[0][:3]
(('17:45', '', 'PDT'), ('14:30', '15:00', None))
>>> find_date("Tuesday, March 19", 2024), find_date("Day 1 - Thursday, August 25", 2016)
(datetime.date(2024, 3, 19), datetime.date(2016, 8, 25))
>>> find_date("19 mars 2024", None), find_date("2024-05-06", None), find_date("20 de março", 2017)
(datetime.date(2024, 3, 19), datetime.date(2024, 5, 6), datetime.date(2017, 3, 20))
>>> offset("CET", None, None), offset(None, "Europe/Amsterdam", dt.date(2023, 4, 18))
('+01:00', '+02:00')
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Zone abbreviations and their UTC offsets (the ones write-ups use; a named zone wins over the venue's).
ZONES = {
    "UTC": "+00:00", "GMT": "+00:00", "Z": "+00:00", "WET": "+00:00", "WEST": "+01:00", "BST": "+01:00",
    "CET": "+01:00", "CEST": "+02:00", "MEZ": "+01:00", "MESZ": "+02:00", "EET": "+02:00", "EEST": "+03:00",
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00", "IST": "+05:30", "JST": "+09:00", "KST": "+09:00", "SGT": "+08:00",
    "AEST": "+10:00", "AEDT": "+11:00", "HKT": "+08:00", "BRT": "-03:00",
}
#: Zones written in words, and what they mean (the abbreviation chosen later by the date where it matters).
ZONE_NAMES = {
    "central european summer time": "CEST", "central european time": "CET", "pacific daylight time": "PDT",
    "pacific standard time": "PST", "pacific time": "PT", "eastern daylight time": "EDT",
    "eastern standard time": "EST", "eastern time": "ET", "us eastern time": "ET", "central time": "CT",
    "mountain time": "MT", "british summer time": "BST", "japan standard time": "JST", "india standard time": "IST",
}
GENERIC_ZONES = {"PT": "America/Los_Angeles", "ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver"}

MONTHS = {
    # English, German, French, Spanish, Portuguese, Italian, Dutch (full names and usual abbreviations)
    **dict.fromkeys(["january", "jan", "januar", "janvier", "enero", "janeiro", "gennaio", "januari", "jänner"], 1),
    **dict.fromkeys(
        ["february", "feb", "februar", "février", "fevrier", "febrero", "fevereiro", "febbraio", "februari"], 2
    ),
    **dict.fromkeys(["march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco", "maart"], 3),
    **dict.fromkeys(["april", "apr", "avril", "abril", "aprile"], 4),
    **dict.fromkeys(["may", "mai", "mayo", "maio", "maggio", "mei"], 5),
    **dict.fromkeys(["june", "jun", "juni", "juin", "junio", "junho", "giugno"], 6),
    **dict.fromkeys(["july", "jul", "juli", "juillet", "julio", "julho", "luglio"], 7),
    **dict.fromkeys(["august", "aug", "août", "aout", "agosto", "augustus"], 8),
    **dict.fromkeys(["september", "sep", "sept", "septembre", "septiembre", "setembro", "settembre"], 9),
    **dict.fromkeys(["october", "oct", "oktober", "octobre", "octubre", "outubro", "ottobre", "okt"], 10),
    **dict.fromkeys(["november", "nov", "novembre", "noviembre", "novembro"], 11),
    **dict.fromkeys(
        ["december", "dec", "dezember", "décembre", "decembre", "diciembre", "dezembro", "dicembre", "dez"], 12
    ),
}
WEEKDAYS = {
    **dict.fromkeys(["monday", "mon", "montag", "lundi", "lunes", "segunda", "segunda-feira", "lunedì"], 0),
    **dict.fromkeys(["tuesday", "tue", "tues", "dienstag", "mardi", "martes", "terça", "terça-feira", "martedì"], 1),
    **dict.fromkeys(
        ["wednesday", "wed", "mittwoch", "mercredi", "miércoles", "quarta", "quarta-feira", "mercoledì"], 2
    ),
    **dict.fromkeys(["thursday", "thu", "thur", "thurs", "donnerstag", "jeudi", "jueves", "quinta", "quinta-feira",
                     "giovedì"], 3),
    **dict.fromkeys(["friday", "fri", "freitag", "vendredi", "viernes", "sexta", "sexta-feira", "venerdì"], 4),
    **dict.fromkeys(["saturday", "sat", "samstag", "samedi", "sábado", "sabato"], 5),
    **dict.fromkeys(["sunday", "sun", "sonntag", "dimanche", "domingo", "domenica"], 6),
}
_MONTH = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WEEKDAY = "|".join(sorted((re.escape(w) for w in WEEKDAYS), key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th|er|e|º|ª)?"
_DATES = [
    re.compile(r"\b(?P<y>20\d\d)-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b"),
    re.compile(
        rf"\b(?P<d>[0-3]?\d){_ORD}\.?\s+(?:of\s+|de\s+)?(?P<mn>{_MONTH})\.?(?:\s+(?:de\s+)?(?P<y>20\d\d))?\b", re.I
    ),
    re.compile(rf"\b(?P<mn>{_MONTH})\.?\s+(?P<d>[0-3]?\d){_ORD}\b(?!:)(?:,?\s+(?P<y>20\d\d))?", re.I),
    re.compile(r"(?P<y>20\d\d)\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>[0-3]?\d)\s*日"),
    re.compile(r"(?<!\d)(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>[0-3]?\d)\s*日"),
    re.compile(r"(?<![\d/.])(?P<d>[0-3]?\d)[./](?P<m>[01]?\d)[./](?P<y>20\d\d)\b"),
]
_WEEKDAY_RE = re.compile(rf"\b(?P<wd>{_WEEKDAY})\b\.?", re.I)
_TIME = r"(?:[012]?\d(?:[:.h][0-5]\d)?)"
_AMPM = r"(?:[ap]\.?\s?m\b\.?)"
_TIME_RANGE = re.compile(
    rf"(?<![\d:/.-])(?P<a>{_TIME})\s*(?P<ap>{_AMPM})?\s*(?:-|–|—|to|bis|à|a|~|〜|～)\s*(?P<b>{_TIME})\s*(?P<bp>{_AMPM})?"
    rf"(?:\s*\(?(?P<tz>[A-Z]{{2,4}}|UTC\s?[+-]\s?\d{{1,2}})\b\)?)?(?![\d/.-]|:\d)",
    re.I,
)
_TIME_ONE = re.compile(
    rf"(?<![\d:/.-])(?P<a>[012]?\d[:.h][0-5]\d|[01]?\d\s*{_AMPM})\s*(?P<ap>{_AMPM})?"
    rf"(?:\s*\(?(?P<tz>[A-Z]{{2,4}}|UTC\s?[+-]\s?\d{{1,2}})\b\)?)?(?![\d/.-]|:\d)",
    re.I,
)


def find_times(text: str) -> list[tuple[str, str, str | None, int, int]]:
    """Time ranges and single times in ``text``: (start HH:MM, end HH:MM or "", zone or None, where, to).

    A range needs a colon (or ``h``) in one of its times or an am/pm, so "2023-2024" and "19-22" are not
    times; a time of day is at most 24:00.
    """
    found: list[tuple[str, str, str | None, int, int]] = []
    taken: list[tuple[int, int]] = []
    for m in _TIME_RANGE.finditer(text):
        a, b, ap, bp = m.group("a"), m.group("b"), m.group("ap"), m.group("bp")
        if not (re.search(r"[:.h]", a + b, re.I) or ap or bp):
            continue
        start, end = _h24(a, ap or (bp if not ap and _plain_hour(a) <= _plain_hour(b) else None)), _h24(b, bp)
        if start is None or end is None:
            continue
        if not ap and bp and start > end:  # "11:30 - 12:05pm": the start was in the morning
            start = _h24(a, "am")
        found.append((start or "", end or "", _zone(m.group("tz")), m.start(), m.end()))
        taken.append((m.start(), m.end()))
    for m in _TIME_ONE.finditer(text):
        if any(x <= m.start() < y for x, y in taken):
            continue
        raw = m.group("a")
        meridiem = re.search(_AMPM, raw, re.I)
        ap = m.group("ap") or (meridiem.group() if meridiem else None)
        raw = re.sub(_AMPM, "", raw, flags=re.I).strip()
        start = _h24(raw, ap)
        if start is not None:
            found.append((start, "", _zone(m.group("tz")), m.start(), m.end()))
    return sorted(found, key=lambda t: t[3])


def _plain_hour(t: str) -> int:
    return int(re.split(r"[:.h]", t, flags=re.I)[0])


def _h24(t: str, meridiem: str | None) -> str | None:
    parts = re.split(r"[:.h]", t.strip(), flags=re.I)
    try:
        h, mi = int(parts[0]), int(parts[1]) if len(parts) > 1 and parts[1] else 0
    except ValueError:
        return None
    if meridiem:
        if h > 12:
            return None
        h = (h % 12) + (12 if meridiem.strip().lower().startswith("p") else 0)
    if h > 24 or mi > 59:
        return None
    return f"{h:02d}:{mi:02d}"


def _zone(raw: str | None) -> str | None:
    if not raw:
        return None
    z = re.sub(r"\s", "", raw.upper())
    if z in ZONES:
        return z
    m = re.fullmatch(r"UTC([+-])(\d{1,2})", z)
    return f"UTC{m.group(1)}{int(m.group(2)):02d}" if m else None


def zone_in(text: str) -> str | None:
    """A zone a text names for its times ("All times are in Central European Time (CET)", "PDT")."""
    low = text.lower()
    for words, abbr in ZONE_NAMES.items():
        if words in low:
            return abbr
    m = re.search(r"\b(?:times?|hours?|horário|heure|uhrzeit|zeit)\b[^.\n]{0,60}?\b(?P<z>[A-Z]{2,4})\b", text)
    if m and m.group("z") in ZONES:
        return m.group("z")
    return None


def offset(zone: str | None, venue_zone: str | None, day: dt.date | None) -> str | None:
    """The UTC offset of a time: the zone it names, else (on a known date) the venue's IANA zone."""
    if zone in ZONES:
        return ZONES[zone]
    if zone and zone.startswith("UTC") and len(zone) == 6:
        return f"{zone[3]}{zone[4:]}:00"
    iana = GENERIC_ZONES.get(zone or "") or venue_zone
    if iana is None or day is None:
        return None
    return _iana_offset(iana, day)


@lru_cache(maxsize=256)
def _iana_offset(iana: str, day: dt.date) -> str | None:
    try:
        delta = dt.datetime(day.year, day.month, day.day, 12, tzinfo=ZoneInfo(iana)).utcoffset()
    except (ZoneInfoNotFoundError, ValueError):
        return None
    if delta is None:
        return None
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def find_date(text: str, year: int | None) -> dt.date | None:
    """The first calendar date in ``text`` (a year missing from it is ``year``); None if there is none."""
    found = find_dates(text, year)
    return found[0][0] if found else None


def find_dates(text: str, year: int | None) -> list[tuple[dt.date, int, int]]:
    """Every calendar date in ``text`` with where it stands, in text order, without overlaps."""
    out: list[tuple[dt.date, int, int]] = []
    for pattern in _DATES:
        for m in pattern.finditer(text):
            if any(a <= m.start() < b or m.start() <= a < m.end() for _, a, b in out):
                continue
            parts = m.groupdict()
            month = MONTHS.get((parts.get("mn") or "").lower().rstrip(".")) if parts.get("mn") else int(parts["m"])
            y = int(parts["y"]) if parts.get("y") else year
            if month is None or y is None:
                continue
            try:
                out.append((dt.date(y, month, int(parts["d"])), m.start(), m.end()))
            except ValueError:
                continue
    return sorted(out, key=lambda x: x[1])


def weekday_in(text: str) -> str | None:
    """The weekday a text names, in English ("Tuesday"), or None."""
    m = _WEEKDAY_RE.search(text)
    if not m:
        return None
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
        WEEKDAYS[m.group("wd").lower()]
    ]
