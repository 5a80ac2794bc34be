"""A document's title, description, authors, date and language, from front matter or the text."""

from __future__ import annotations

import datetime as dt
import re

from kgkit.documents.document import Document
from kgkit.documents.frontmatter import AUTHOR_KEYS, DATE_KEYS, LANG_TAG, parse_date

_BYLINE = re.compile(
    r"^(?:Picture of |Photo of |By |Written by |Author: ?|Posted by )"
    r"(?P<name>[A-Z][\w.'’-]+(?: [A-Z][\w.'’-]+){1,3})[ \t]*$",
    re.M,
)


_TEXT_DATE = re.compile(
    r"(?:Last Updated|Updated|Published|Posted(?: on)?|Date)\s*:?\s*"
    r"(?P<d>\d{1,2}[./]\d{1,2}[./]\d{4}|\d{4}-\d{2}-\d{2}|[A-Z][a-z]+ \d{1,2},? \d{4}|\d{1,2} [A-Z][a-z]+ \d{4})"
)


def fill_metadata(doc: Document) -> None:
    meta = doc.meta
    title = meta.get("title")
    if isinstance(title, str) and title.strip():
        doc.title = title.strip()
        line = doc.meta_lines.get("title")
        doc.title_span = doc.line_span(line) if line else None
    else:
        m = re.search(r"^#\s+(.+)$", doc.text[doc.body_start :], re.M)
        m = m or re.search(r"^\s*(\S.*)$", doc.text[doc.body_start :], re.M)
        if m:
            doc.title = re.sub(r"[*_`#]", "", m.group(1)).strip()
            start = doc.body_start + m.start(1)
            doc.title_span = (start, doc.body_start + m.end(1))
    desc = meta.get("description") or meta.get("summary")
    doc.description = desc.strip() if isinstance(desc, str) else None
    doc.authors = _authors(doc)
    doc.date = _date(doc)
    doc.language = detect_language(doc)


def _authors(doc: Document) -> list[tuple[str, tuple[int, int] | None, str | None]]:
    out: list[tuple[str, tuple[int, int] | None, str | None]] = []
    for key in AUTHOR_KEYS:
        value = doc.meta.get(key)
        if value is None:
            continue
        line = doc.meta_lines.get(key)
        span = doc.line_span(line) if line else None
        items = value if isinstance(value, list) else [value]
        for item in items:
            name = item.get("name") or item.get("title") if isinstance(item, dict) else item
            if not isinstance(name, str):
                continue
            for part in re.split(r"\s*(?:,|;|\band\b|&)\s*", name):
                if part.strip() and not any(part.strip() == a for a, _, _ in out):
                    out.append((part.strip(), span, None))
        if out:
            return out
    head = doc.masked[doc.body_start : doc.body_start + 1500]
    for m in _BYLINE.finditer(head):
        name = m.group("name")
        start = doc.body_start + m.start("name")
        rest = head[m.end() :].lstrip("\n").split("\n")
        role = None
        # "Picture of Name" / "Name" / "Role": the line after a repeated name is the role
        if rest and rest[0].strip() == name and len(rest) > 1 and 0 < len(rest[1].strip()) < 60:
            role = rest[1].strip() if not re.search(r"\d|:", rest[1]) else None
        out.append((name, (start, start + len(name)), role))
        break
    return out


def _date(doc: Document) -> dt.date | None:
    for key in DATE_KEYS:
        value = doc.meta.get(key)
        if value is not None:
            parsed = parse_date(value)
            if parsed:
                return parsed
    m = _TEXT_DATE.search(doc.masked[doc.body_start : doc.body_start + 3000])
    return parse_date(m.group("d")) if m else None


# ------------------------------------------------------------------------------------------ language
_SCRIPTS = [
    ("zh", r"[\u4e00-\u9fff]"),
    ("ja", r"[\u3040-\u30ff]"),
    ("ko", r"[\uac00-\ud7af]"),
    ("ru", r"[\u0400-\u04ff]"),
    ("el", r"[\u0370-\u03ff]"),
    ("ar", r"[\u0600-\u06ff]"),
    ("he", r"[\u0590-\u05ff]"),
]


def detect_language(doc: Document) -> str:
    """BCP-47 code: declared in front matter / HTML, else from the script, else a seeded detector."""
    declared = doc.meta.get("lang") or doc.meta.get("language") or doc.meta.get("locale")
    if isinstance(declared, str) and LANG_TAG.fullmatch(declared.strip()):
        return declared.strip().replace("_", "-").split("-")[0].lower()
    body = re.sub(r"\s+", " ", doc.masked[doc.body_start :])
    letters = len(re.findall(r"\w", body)) or 1
    counts = {code: len(re.findall(pat, body)) for code, pat in _SCRIPTS}
    if counts["ja"] > 20:
        return "ja"
    code, n = max(counts.items(), key=lambda kv: kv[1])
    if n / letters > 0.15:
        return code
    guess = _function_words(body[:20000])
    if guess:
        return guess
    try:
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0
        return str(detect(body[:5000])).split("-")[0]
    except (ImportError, LangDetectException):
        return "en"


# The commonest function words of the Latin-script languages write-ups come in: a clear majority of
# them decides the language in microseconds; otherwise the (slower, n-gram) detector does.
_FUNCTION_WORDS = {
    "en": "the and of to in is that for with on are this was as be by it at from we have",
    "de": "der die und das ist nicht mit den von zu ein eine auch auf für sich dem wir sind",
    "fr": "le la les et des est un une du pour dans que sur pas qui avec au nous sont par",
    "es": "el la los las y de que en un una es por con para del se al como más sus",
    "it": "il di che la e per un una non sono del della con gli nel anche come alla",
    "pt": "o os as e de que em um uma para com não do da dos das por mais se",
    "nl": "de het een en van is dat op te niet met voor zijn ook aan er als bij",
}


_FUNCTION_SETS = {code: set(words.split()) for code, words in _FUNCTION_WORDS.items()}


def _function_words(text: str) -> str | None:
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    scores = sorted(((sum(w in vocab for w in words), code) for code, vocab in _FUNCTION_SETS.items()), reverse=True)
    (best, code), (second, _) = scores[0], scores[1]
    return code if best >= 8 and best >= 2 * second else None
