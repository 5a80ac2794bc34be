"""YAML (``---``) and TOML (``+++``) front matter: parsed safely, values of the wrong type dropped with a warning."""

from __future__ import annotations

import datetime as dt
import re
import reprlib
import tomllib
from pathlib import Path
from typing import Any

import yaml

from kgkit.errors import DocumentError

FRONT = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?)\r?\n\1[ \t]*(?:\r?\n|\Z)", re.S)


LANG_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*")


# ------------------------------------------------------------------------------------------ front matter
class _FrontMatterLoader(yaml.SafeLoader):
    """YAML's safe loader, except that a date-like value which is no date (2024-13-45) stays a string."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


class _FastFrontMatterLoader(getattr(yaml, "CSafeLoader", _FrontMatterLoader)):  # type: ignore[misc]
    """The same on libyaml's scanner and parser: ~5x faster. Used for front matter that parses; what
    does not is parsed again by :class:`_FrontMatterLoader`, whose messages (and line numbers) the
    error reports quote."""


_FastFrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


_YAML_FAILURES = (yaml.YAMLError, RecursionError, ValueError, TypeError, OverflowError)


def _load_yaml(block: str) -> Any:
    """``block`` parsed by libyaml; if that fails, by the pure-Python loader, whose error is raised."""
    try:
        return yaml.load(block, Loader=_FastFrontMatterLoader)  # a SafeLoader
    except _YAML_FAILURES:
        return yaml.load(block, Loader=_FrontMatterLoader)  # a SafeLoader


_TOML_WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


#: How many values front matter may hold once its YAML aliases are expanded (an "alias bomb" of a few
#: lines holds billions; no real front matter holds more than a few hundred)
MAX_VALUES = 10_000


def expanded_size(value: Any, limit: int = MAX_VALUES) -> int:
    """How many values ``value`` holds with every shared (aliased) part counted each time it appears,
    counted in linear time and stopping past ``limit``; ValueError if it contains itself.

    >>> shared = ["x"] * 10
    >>> expanded_size({"a": [shared, shared]})
    24
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        if not isinstance(node, dict | list):
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise ValueError("refers to itself")
        active.add(key)
        total = 1
        for child in node.values() if isinstance(node, dict) else node:
            total += size(child)
            if total > limit:
                break
        active.discard(key)
        sizes[key] = total
        return total

    return size(value)


def parse_front_matter(fence: str, block: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        meta = tomllib.loads(block) if fence == "+++" else _load_yaml(block)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise DocumentError(f"broken YAML front matter: {problem}", path=path, line=line) from None
    except tomllib.TOMLDecodeError as err:
        where = _TOML_WHERE.search(str(err))
        problem = _TOML_WHERE.sub(lambda m: f" (column {m.group(2)})", str(err))
        line = int(where.group(1)) + 1 if where else None
        if "(at end of document)" in problem:
            problem, line = problem.replace(" (at end of document)", " at the end"), block.count("\n") + 2
        raise DocumentError(f"broken TOML front matter: {problem}", path=path, line=line) from None
    except RecursionError:
        raise DocumentError("broken front matter: nested too deeply", path=path, line=2) from None
    except (ValueError, TypeError, OverflowError) as err:
        raise DocumentError(f"broken front matter: {err}", path=path, line=2) from None
    try:
        if expanded_size(meta) > MAX_VALUES:
            raise DocumentError(
                f"front matter holds more than {MAX_VALUES} values once its aliases are expanded (an alias bomb?)",
                path=path,
                line=2,
            )
    except ValueError:
        raise DocumentError("broken front matter: a value refers to itself (a YAML alias loop)", path=path,
                            line=2) from None
    except RecursionError:
        raise DocumentError("broken front matter: nested too deeply", path=path, line=2) from None
    return _front_matter_lines(meta, block, path)


def _front_matter_lines(meta: Any, block: str, path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """The parsed front matter as a mapping, and the line of each top-level key."""
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise DocumentError("front matter is not a mapping of keys to values", path=path, line=2)
    lines: dict[str, int] = {}
    for i, line in enumerate(block.split("\n"), start=2):
        km = re.match(r"^([A-Za-z_][\w-]*)\s*[:=]", line)
        if km and km.group(1) not in lines:
            lines[km.group(1)] = i
    return {str(k): v for k, v in meta.items()}, lines


def check_front_matter(meta: dict[str, Any], lines: dict[str, int], path: Path) -> list[DocumentError]:
    """Drop (with a warning each) the front-matter values kgkit reads that have the wrong type."""
    warnings: list[DocumentError] = []

    def drop(key: str, why: str) -> None:
        warnings.append(DocumentError(f"front matter {key}: {why}; ignored", path=path, line=lines.get(key)))
        del meta[key]

    for key in ("title", "description", "summary"):
        value = meta.get(key)
        if isinstance(value, int | float | dt.date) and not isinstance(value, bool):
            meta[key] = str(value)
        elif value is not None and not isinstance(value, str):
            drop(key, f"expected text, not {_kind(value)}")
    for key in DATE_KEYS:
        value = meta.get(key)
        if value is not None and parse_date(value) is None:
            drop(key, f"{_show(value)} is not a date")
    for key in AUTHOR_KEYS:
        value = meta.get(key)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        good = [item for item in items if _author_name(item) is not None]
        if len(good) < len(items):
            bad = next(item for item in items if _author_name(item) is None)
            drop(key, f"expected a name, a list of names or objects with a name, not {_kind(bad)}")
            if good:
                meta[key] = good
    for key in ("lang", "language", "locale"):
        value = meta.get(key)
        if value is not None and not (isinstance(value, str) and LANG_TAG.fullmatch(value.strip())):
            drop(key, f"{_show(value)} is not a language tag such as en or de-CH")
    return warnings


def _author_name(item: Any) -> str | None:
    name = item.get("name") or item.get("title") if isinstance(item, dict) else item
    return name if isinstance(name, str) else None


def _kind(value: Any) -> str:
    kinds = {list: "a list", dict: "a mapping", bool: "true/false", int: "a number", float: "a number"}
    return kinds.get(type(value)) or _show(value)


_SHORT = reprlib.Repr()
_SHORT.maxlevel, _SHORT.maxlist, _SHORT.maxdict, _SHORT.maxstring, _SHORT.maxother = 2, 4, 4, 60, 60


def _show(value: Any) -> str:
    """A short repr of ``value``, made in bounded time whatever it holds."""
    text = _SHORT.repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ------------------------------------------------------------------------------------------ metadata
DATE_KEYS = ("date", "publishdate", "publishDate", "published", "pubDate", "created")


AUTHOR_KEYS = ("authors", "author", "by")


def parse_date(value: Any) -> dt.date | None:
    """A date from front-matter values or common written forms; None if it is not a date.

    >>> parse_date("22.03.2024"), parse_date("2024-05-30 10:00:00 +0000")
    (datetime.date(2024, 3, 22), datetime.date(2024, 5, 30))
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return None
    s = value.strip()
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", s)
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{4})", s)
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        for fmt in ("%B %d, %Y", "%B %d %Y", "%d %B %Y", "%b %d, %Y", "%d %b %Y"):
            try:
                return dt.datetime.strptime(s, fmt).date()
            except ValueError:
                continue
    except ValueError:
        return None
    return None
