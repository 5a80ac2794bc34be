"""Markup blanked out with spaces, so extraction sees prose while every offset stays valid."""

from __future__ import annotations

import html
import re

# ------------------------------------------------------------------------------------------ masking
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")


_LINK = re.compile(r"\[((?:[^\[\]\n]|\n(?![ \t]*\n))*)\]\(([^)\n]*)\)")  # a link's text may wrap, not span paragraphs


_HIDDEN = re.compile(r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MASKS = [
    re.compile(r"<[a-zA-Z/!][^<>]*>"),  # HTML tags, also those spanning lines
    re.compile(r"https?://\S+"),  # bare URLs
    re.compile(r"^\s{0,3}#{1,6}(?=\s)", re.M),  # heading marks
    re.compile(r"^\s*(?:[*+-]|\d+[.)])(?=\s)", re.M),  # list bullets
    re.compile(r"\*\*|__|`+|^>+", re.M),  # emphasis, code ticks, quote marks
]


def mask_markup(text: str, body_start: int = 0) -> str:
    """Blank out markup so that offsets into the result are offsets into ``text``.

    >>> mask_markup("See [Backstage](https://backstage.io/) now")
    'See  Backstage                         now'
    """
    chars = list(text)

    def blank(start: int, end: int) -> None:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " "

    blank(0, body_start)
    for m in _HIDDEN.finditer(text, body_start):
        blank(m.start(), m.end())
    for m in _ENTITY.finditer(text, body_start):  # "&amp;" reads "&    "
        char = html.unescape(m.group())
        blank(m.start(), m.end())
        if len(char) == 1 and char.isprintable():
            chars[m.start()] = char
    for m in _IMAGE.finditer(text, body_start):
        blank(m.start(), m.end())
    for m in _LINK.finditer(text, body_start):
        blank(m.start(), m.start() + 1)  # "["
        blank(m.end(1), m.end())  # "](target)"
    for pattern in _MASKS:  # on what is left: a bare URL does not run on over a link's blanked "](...):"
        current = "".join(chars)
        for m in pattern.finditer(current, body_start):
            blank(m.start(), m.end())
    return "".join(chars)
