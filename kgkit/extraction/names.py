"""Given names: a person's name is told by its first word in any language, whatever a model says.

The list is Jörg Michael's ``nam_dict.txt`` (about 48,000 given names from 54 countries, GNU Free
Documentation License 1.2), read as data from the ``gender-guesser`` package that ships it (kgkit uses
none of that package's code, and keeps no copy of the list). Given names that are also common words
of write-ups ("Will", "May", "Mark", "Summer") or places ("Paris", "Austin") are left out: they say
nothing about the words after them.

>>> given = given_names()
>>> "Neeraj" in given, "Sveinung" in given, "Will" in given, "Kubernetes" in given
(True, True, False, False)
>>> starts_with_given_name("Mitch Connors"), starts_with_given_name("Mark Your Calendars")
(True, False)
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.resources
import importlib.util
import re
import unicodedata
from pathlib import Path

from kgkit.errors import InputError

#: The package whose data file holds the names, and the file.
PACKAGE, DATA_FILE = "gender_guesser", "data/nam_dict.txt"

#: The languages whose function words are no given names (spaCy's stop-word lists).
#: (Not the Nordic lists: their pronouns "hans", "henne" are the names Hans and Henne.)
STOP_WORD_LANGUAGES = ("en", "de", "fr", "es", "pt", "it", "nl")

#: Given names that are, in write-ups, more often a word, a month, a place or a product than a name.
_AMBIGUOUS_WORDS = """
    Will May June April August March Mark Grant Bill Art Rich Chase Hope Joy Grace Summer Autumn Spring Page
    Sun Red Sky Stone Star Amber Crystal Ruby Pearl Jade Hunter Mason Carter Parker Cooper Austin Dallas Denver
    Houston Phoenix Sydney London Paris Berlin Vienna Milan Lima Roma India China Florence Georgia Virginia
    Carolina Dakota Montana Sierra Madison Kent Orlando Cleveland Brooklyn Chelsea Camden Nova Sage Argo Helm
    Hugo Astro Aurora Alpha Trino Jetty Kong Nest Helidon Fedora Nim Go Kit Dash Can Don Long Young King Lane
    Bay River Forest Brook Rain Storm Dawn Eve Faith Honor Justice Liberty Prince Queen Royal Angel Doc Guy
    Man Boy Major General Price Penny Diamond Silver Gray Grey Holly Heather Willow Rock Swan Oak Rush Wolf
    Lion Lucky Noble Loyal Miracle Night Easter Valentine Key Lean San Santa Saint Princess Marquis Park
"""
AMBIGUOUS = frozenset(_AMBIGUOUS_WORDS.split())


@functools.cache
def given_names() -> frozenset[str]:
    """Every given name of the list but the ambiguous ones (read once per process)."""
    try:
        text = (importlib.resources.files(PACKAGE) / DATA_FILE).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError) as err:
        raise InputError(f"cannot read the given-name list of the {PACKAGE!r} package: {err}") from None
    names: set[str] = set()
    for line in text.splitlines():
        if not line or line[0] in "#=":
            continue
        parts = line.split()
        if len(parts) < 2:
            continue
        name = parts[1]
        # "Jean+Pierre" stands for "Jean Pierre", "JeanPierre" and "Jean-Pierre"; the first part is a name too
        variants = {name.replace("+", sep) for sep in ("", "-", " ")} if "+" in name else {name}
        names.update(v for v in variants if len(v) >= 2 and v[0].isupper())
    return frozenset(names - AMBIGUOUS - _function_words())


def _function_words() -> set[str]:
    """Function words of the languages write-ups come in, capitalized ("The", "Una", "Til" are given names
    somewhere too): spaCy's stop-word lists."""
    words: set[str] = set()
    spec = importlib.util.find_spec("spacy")  # where spaCy is, without importing it (a second)
    if spec is None or not spec.submodule_search_locations:
        return words
    root = Path(next(iter(spec.submodule_search_locations)))
    for lang in STOP_WORD_LANGUAGES:  # each list's file alone (importing spacy.lang.xx costs a second each)
        source = (root / "lang" / lang / "stop_words.py").read_text(encoding="utf-8")
        block = re.search(r'"""(.*?)"""', source, re.S)
        if block:
            words.update(w.capitalize() for w in block.group(1).split())
    return words


def names_version() -> str:
    """The version of the package that ships the list (part of the build cache key)."""
    try:
        return importlib.metadata.version(PACKAGE.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "missing"


def starts_with_given_name(name: str) -> bool:
    """Does ``name`` (two or more words) start with a known given name ("Jean-Pierre Dupont" too)?"""
    words = name.split()
    if len(words) < 2:
        return False
    first = words[0]
    return is_given_name(first) or (
        "-" in first and is_given_name(first.split("-")[0]) and first.split("-")[1][:1].isupper()
    )


def is_given_name(word: str) -> bool:
    """Is ``word`` a given name of the list, as written or without its accents ("Vinícius", "Fábio")?"""
    given = given_names()
    if word in given:
        return True
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return bare != word and bare in given
