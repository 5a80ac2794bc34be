"""People in running text, from the model's named entities, and what the sentence says about them:
their organization ("X of/from/at Y", "X (Y)", "Y's X", "X, CTO at Y") and the talk they gave (the
subject of a speaking verb whose object or sentence names a session).

A name is taken when it looks like a personal name (two to four capitalized words, or a name in
Chinese, Japanese or Korean script) and the gazetteer does not know it as something else; the
organization when the gazetteer knows it, or the model calls it an organization, or it stands where
only an organization can (after "from", in parentheses after the name).
"""

from __future__ import annotations

import re

from rdflib import URIRef

from kgkit.extraction.component import component
from kgkit.extraction.components.schedule import _judge
from kgkit.extraction.models import lemma
from kgkit.extraction.names import is_given_name, starts_with_given_name
from kgkit.extraction.patterns import NOT_NAME_WORDS, ROLE_WORDS, STOP_CAPS, is_person_name
from kgkit.extraction.speakers import ORG_SUFFIX, Judge
from kgkit.extraction.state import DocState, Sentence
from kgkit.rdf.terms import KG, SCHEMA

CONF_MODEL = 0.7
#: Verbs whose subject gave (part of) a talk.
SPEAK_LEMMAS = {
    "speak", "talk", "present", "deliver", "give", "host", "share", "demo", "demonstrate", "discuss", "explain",
    "show", "introduce", "keynote", "lead", "moderate", "walk", "cover", "showcase", "outline", "explore",
    "highlight", "announce", "teach", "run", "join", "open", "close",
}
_ORG_AFTER = re.compile(
    rf"^\s*(?:,\s*(?:(?P<role>{ROLE_WORDS}|[A-Za-z][\w &/-]{{2,50}}?)\s+(?:at|of|for|from|@)\s+)?"
    rf"|\s+(?:from|of|at|with|@|de|von|bei|chez|da|do)\s+(?:the\s+)?|\s*\(\s*|\s*@\s*)"
    rf"(?P<org>[A-Z0-9][\w&.'’+-]*(?:\s+(?:&\s+)?[A-Z0-9][\w&.'’+-]*){{0,4}})"
)
_ORG_BEFORE = re.compile(r"(?P<org>[A-Z][\w&.-]*(?:\s+[A-Z][\w&.-]*){0,3})[’']s\s+(?:own\s+)?(?:[a-z][\w-]*\s+){0,3}$")


@component("names", requires=["sentences", "entities", "hits"], provides=["names"])
def names(st: DocState) -> None:
    """Personal names told by a known given name (``Sveinung Dalatun og Kjetil Valle``, ``Speaker: Marie
    Padberg``), in every language: where the model found no person, or where a language has no model."""
    masked = st.doc.masked
    people = [(a, b) for label, a, b in st.entities if label == "PERSON"]
    known = [(m.start, m.end) for m in st.hits]
    places = {"GPE", "LOC", "FAC", "DATE", "TIME"}
    for sentence in st.sentences:
        for m in _NAME_RUN.finditer(masked, sentence.start, sentence.end):
            found = _given_name_in(st, m.group(), m.start())
            if found is None:
                continue
            a, b = found
            if any(x < b and a < y for x, y in people + known):
                continue
            if any(label in places and x < b and a < y for label, x, y in st.entities):
                continue
            st.names.append((a, b))
        if st.lang in ("ja", "zh", "ko"):
            for m in _CJK_HONORIFIC.finditer(masked, sentence.start, sentence.end):
                if st.gz.lookup(m.group("name")) is None and not any(x < m.end() and m.start() < y for x, y in known):
                    st.names.append((m.start("name"), m.end("name")))
    st.names.sort()


#: A name in Japanese, Chinese or Korean script with the honorific or title that follows names there:
#: "ライアン・ダール氏", "古川陽介氏", "日野澤さん", "王泽锋老师", "김철수님". (Katakana names with a middle dot, kanji
#: names of two to four characters; the honorific is what says it is a person.)
_CJK_HONORIFIC = re.compile(
    r"(?P<name>(?<![\u30a0-\u30ff])[\u30a1-\u30fa\u30fc]{2,10}(?:[・･][\u30a1-\u30fa\u30fc]{2,10})?"
    r"|(?<![\u4e00-\u9fff])[\u4e00-\u9fff]{2,4}|(?<![\uac00-\ud7af])[\uac00-\ud7af]{2,4})"
    r"(?:氏|さん|様|先生|老师|老師|女士|님|씨)"
)
#: Runs of capitalized words (with the particles of names) on one line: where a given name may start one.
_UPPER, _LETTER = "A-ZÀ-ÖØ-ÞĀ-Ž", "A-Za-zÀ-ÖØ-öø-ɏ"  # Latin letters only: "Rob Keilty將幫助" ends at 將
_NAME_RUN = re.compile(
    rf"(?<![\w.@/-])[{_UPPER}][{_LETTER}'’-]*(?:[ \u00a0](?:(?:van|von|de|da|del|der|den|di|do|dos|du|le|la|ten|ter"
    rf"|zu)[ \u00a0])*[{_UPPER}][{_LETTER}'’-]*)+(?![{_LETTER}])"
)


def _given_name_in(st: DocState, run: str, at: int) -> tuple[int, int] | None:
    """The span of the first personal name in a run of capitalized words: a given name and one to three
    more words that are not known names, acronyms or words that name things, or None."""
    words = [(m.start(), m.group()) for m in re.finditer(r"\S+", run)]
    for i, (start, word) in enumerate(words[:-1]):
        if not starts_with_given_name(f"{word} {words[i + 1][1]}"):
            continue
        end = i + 1
        while end < len(words) and end - i <= 3 and _surname_word(st, words[end][1]):
            end += 1
        if end - i < 2:
            continue
        if i == 1 and end < 4 and re.fullmatch(r"[A-Z][a-z]+", words[0][1]) and _surname_word(st, words[0][1]):
            i = 0  # a given name the list does not know, first in the run: "Vamshi Krishna Samudrala"
        start = words[i][0]
        name = " ".join(w for _, w in words[i:end])
        namelike = is_person_name(name) or all(_surname_word(st, w) for _, w in words[i + 1 : end])
        if namelike and st.gz.lookup(name) is None and not ORG_SUFFIX.search(name):
            return at + start, at + words[end - 1][0] + len(words[end - 1][1])
    return None


def _surname_word(st: DocState, word: str) -> bool:
    """Can ``word`` follow a given name in a personal name (not a known name, an acronym, a title word)?"""
    bare = word.strip(".,;:")
    if bare != word or len(bare) < 2 or bare.isupper() or bare in NOT_NAME_WORDS or bare in STOP_CAPS:
        return False
    if re.search(r"[a-z][A-Z]", bare):  # "DreamHack", "GitHub": a company or a product
        return False
    return st.gz.lookup(bare) is None


@component("people", requires=["sentences", "entities", "names", "hits", "sessions"], provides=["facts"])
def people(st: DocState) -> None:
    """People the model finds in the text and people told by their given name, their organizations, and
    the talks they gave."""
    judge = _judge(st)
    spans = sorted([(a, b) for label, a, b in st.entities if label == "PERSON"] + st.names)
    for a, b in spans:
        sentence = st.sentence_at(a)
        found = _name(st, judge, a, b, sentence)
        if found is None:
            continue
        name, a, b, tail = found
        span = (sentence.start, sentence.end) if sentence else (a, b)
        person = st.entity("person", name, span, "model", CONF_MODEL)
        if tail is not None:  # "Björn Rabenstein SoundCloud": the model took the organization into the name
            org = st.resolve_org(tail, span)
            if org is not None:
                st.add(person, KG.affiliation, org, span, "model", CONF_MODEL)
        else:
            _affiliation(st, judge, person, a, b, span)
        if sentence is not None and sentence.parse is not None:
            _presented(st, person, a, b, sentence)


def _name(
    st: DocState, judge: Judge, a: int, b: int, sentence: Sentence | None
) -> tuple[str, int, int, str | None] | None:
    """The personal name of a PERSON entity (and an organization's name the model ran into it), or
    None when it is not one: words that are not proper nouns, a heading in Title Case, a known name."""
    masked = st.doc.masked
    raw = masked[a:b]
    if "\n" in raw or "  " in raw:
        return None
    name = re.sub(r"[’']s$", "", raw.strip(" ,.'’\"")).strip()
    b = a + len(raw) - len(raw.lstrip()) + len(name)
    tail = None
    words = name.split()
    last = words[-1]
    if len(words) >= 3 and (st.gz.lookup(last) is not None or re.fullmatch(r"[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}", last)):
        tail = words[-1]
        name = " ".join(words[:-1])
        b = a + len(name)
    if not judge.person(name, a, b) or st.gz.lookup(name) is not None:
        return None
    first = name.split()[0]
    if len(first) > 5 and first.endswith("ing"):
        return None  # "Managing Burnout", "Scaling Teams"
    if sentence is not None and _inside_quotes(masked, sentence.start, a, b):
        return None  # part of a quoted title
    if sentence is not None and sentence.parse is not None:
        base = sentence.start - sentence.parse.start_char
        tokens = [tok for tok in sentence.parse if a <= base + tok.idx < b]
        proper = all(tok.pos_ in ("PROPN", "NOUN", "X") for tok in tokens)
        if tokens and not proper and not starts_with_given_name(name):
            return None  # "Managing Burnout", "Any Programming Language" (not "Chris Short")
        unit = masked[sentence.start : sentence.end]
        if _title_case_unit(unit) and not _ORG_AFTER.match(masked[b : b + 80]):
            return None  # a heading or a title: its capitals say nothing about names
    return name, a, b, tail


def _inside_quotes(text: str, start: int, a: int, b: int) -> bool:
    """Is ``text[a:b]`` inside a quotation (“...” or "...") that began in its sentence?"""
    before = text[start:a]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _title_case_unit(text: str) -> bool:
    """A heading or a title in Title Case: most longer words capitalized, and none of more than four letters
    in lower case but those titles keep so ("CNCF Ambassador Chris Short joined us" is a sentence)."""
    words = [w for w in re.findall(r"[^\W\d_][\w'’-]*", text) if len(w) > 3]
    lower = [w for w in words if w[0].islower() and len(w) > 4 and w not in _TITLE_LOWER]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.75 * len(words) and not lower


#: Longer words a Title Case title keeps in lower case.
_TITLE_LOWER = frozenset(("about", "above", "across", "after", "along", "among", "around", "before", "behind",
                          "below", "beneath", "between", "beyond", "during", "inside", "outside", "through",
                          "toward", "towards", "under", "until", "using", "versus", "within", "without"))


def _affiliation(st: DocState, judge: Judge, person: URIRef, a: int, b: int, span: tuple[int, int]) -> None:
    masked = st.doc.masked
    after = masked[b : min(len(masked), b + 120, span[1] + 1)]
    m = _ORG_AFTER.match(after)
    org_name, role = None, None
    if m:
        org_name, role = m.group("org"), m.group("role")
        explicit = not after.lstrip().startswith(",") or role is not None
        org_name = _trim_org(org_name)
        if not org_name or not _org_ok(st, judge, org_name, b + m.start("org"), explicit):
            org_name = None
    if org_name is None:
        before = masked[max(span[0], a - 80) : a]
        mb = _ORG_BEFORE.search(before)
        if mb and _org_ok(st, judge, mb.group("org"), a - len(before) + mb.start("org"), False):
            org_name = mb.group("org")
    if org_name is None:
        return
    org = st.resolve_org(org_name, span)
    if org is None:
        return
    st.add(person, KG.affiliation, org, span, "model", CONF_MODEL)
    if role and len(role.split()) <= 5:
        st.add(person, SCHEMA.jobTitle, st.text_literal(role.strip()), span, "model", CONF_MODEL)


def _trim_org(name: str) -> str:
    """An organization's name without the words of the sentence that follow it."""
    words = name.split()
    while words and words[-1] in {"In", "At", "On", "The", "And", "A"}:
        words.pop()
    return " ".join(words).rstrip(".,;:)")


def _org_ok(st: DocState, judge: Judge, name: str, at: int, explicit: bool) -> bool:
    """Is ``name`` an organization: known, or called one by the model, or (where the grammar says so)
    a capitalized name that is not a person, a project or a place?"""
    entry = st.gz.lookup(name)
    if entry is not None:
        return entry.kind == "org"
    label = judge.label_of(at, at + len(name))
    lone_word = label == "PERSON" and explicit and len(name.split()) == 1 and not is_given_name(name)
    if label in ("PERSON", "GPE", "PRODUCT", "DATE", "TIME", "EVENT") and not lone_word:
        return False  # (but "Priya Sharma of Weaveworks": one word in the slot, no given name, the model's PERSON)
    if judge.person(name, at, at + len(name)):
        return False
    return label in ("ORG", "NORP") or explicit or ORG_SUFFIX.search(name) is not None


def _presented(st: DocState, person: URIRef, a: int, b: int, sentence: Sentence) -> None:
    """The person is the subject of a speaking verb in a sentence naming a session: they presented it."""
    parse = sentence.parse
    base = sentence.start - parse.start_char  # where the parsed text starts in the document
    verb = None
    for token in parse:
        start = base + token.idx
        if a <= start < b and token.dep_ in ("nsubj", "nsubjpass", "compound", "conj"):
            if lemma(token.head) in SPEAK_LEMMAS:
                verb = token.head
            elif token.dep_ == "conj" and lemma(token.head.head) in SPEAK_LEMMAS:
                verb = token.head.head
            if verb is not None:
                break
    if verb is None:
        return
    # the verb's own clause, not the clauses joined to it ("A talked about X, and B delivered the Y session")
    joined = [c for c in verb.children if c.dep_ == "conj"]
    tokens = [t for t in verb.subtree if not any(t in c.subtree for c in joined)]
    clause = (base + tokens[0].idx, base + tokens[-1].idx + len(tokens[-1])) if tokens else (sentence.start, 0)
    names = {f.s: str(f.o) for f in st.out.facts if f.p == SCHEMA.name}
    for iri, where, _ in st.sessions:  # a session named in the speaker's own clause
        if where is not None and where.start == sentence.start and clause[0] <= st.doc.masked.find(
            names.get(iri, "\0"), clause[0], clause[1]
        ):
            st.add(iri, KG.presenter, person, (sentence.start, sentence.end), "model", CONF_MODEL)
            return
    stage = st.main_event or st.conference
    if stage is not None:
        st.add(stage, KG.presenter, person, (sentence.start, sentence.end), "model", 0.6)

