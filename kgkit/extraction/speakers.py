"""Speaker lists as talk listings write them, parsed into people and the organizations they speak for.

One grammar for the separators write-ups use: ``Name, Org & Name, Org``, ``A & B, Org``,
``A and B (Org)``, ``Name @ Org``, ``Name from Org``, ``A, B, C``, ``A; B``. Which part is a person
and which an organization is decided by the gazetteer, the model's entities, and how names look.

>>> people = parse_speakers("Thomas Vitale, Systematic & Lize Raes, LangChain4j", 0, Judge())
>>> [(p.name, p.org) for p in people]
[('Thomas Vitale', 'Systematic'), ('Lize Raes', 'LangChain4j')]
>>> [(p.name, p.org) for p in parse_speakers("Kate Stanley & Paolo Patierno @ Red Hat", 0, Judge())]
[('Kate Stanley', 'Red Hat'), ('Paolo Patierno', 'Red Hat')]
>>> [(p.name, p.org) for p in parse_speakers("Daniel Garnier-Moiroux & Soumik Majumder, Broadcom", 0, Judge())]
[('Daniel Garnier-Moiroux', 'Broadcom'), ('Soumik Majumder', 'Broadcom')]
>>> parse_speakers("Sidecar, Sidecarless or Both?", 0, Judge()) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from kgkit.extraction.names import starts_with_given_name

Span = tuple[int, int]

_PARTICLE = r"(?:van|von|de|da|del|der|den|di|do|dos|du|le|la|bin|ibn|al|el|ten|ter|zu|y)"
_WORD = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]*|[A-Z]\.)"
PERSON = re.compile(rf"{_WORD}(?:[ \u00a0](?:{_PARTICLE}[ \u00a0])*{_WORD}){{1,3}}")
_CJK_NAME = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]{2,4}|[\u3040-\u30ff\u4e00-\u9fff]{2,8}|[\uac00-\ud7af]{2,4}")
ORG_SUFFIX = re.compile(
    r"(?i)\b(?:inc|llc|ltd|gmbh|ag|bv|b\.v|sa|sas|srl|oy|ab|plc|corp|corporation|co|labs?|technologies|technology"
    r"|systems|software|solutions|cloud|group|foundation|university|universität|université|universidade"
    r"|institute|bank|ai|io|consulting|digital|networks|partners|studio|security|data|analytics|capital"
    r"|media|services|computing|community|project|team)\b\.?$|\.(?:io|com|ai|dev|org|net|de|fr)$"
)
_NOT_PERSON_WORDS = {
    "The", "And", "Or", "Of", "For", "With", "In", "On", "At", "To", "From", "By", "How", "Why", "What",
    "When", "Where", "Who", "Your", "Our", "My", "A", "An", "Is", "Are", "Be", "Building", "Using", "Scaling",
    "Meet", "Welcome", "Introduction", "Panel", "Keynote", "Talk", "Workshop", "Lightning", "Break", "Lunch",
    "Project", "Day", "Cloud", "Native", "Open", "Source", "Kubernetes", "Platform", "Engineering", "Team",
    "Maintainers", "Maintainer", "Contributors", "Leads", "Update", "Intro", "Deep", "Dive", "Tips", "Tricks",
    "Future", "State", "Beyond", "Towards", "Journey", "Lessons", "Learned", "Inside", "Best", "Practices",
    "Networking", "Reception", "Registration", "Closing", "Opening", "Remarks", "Q&A", "TBD", "TBA",
}
#: Capitalized words that are no part of a personal name: job titles, rooms and stands, the nouns of
#: talk titles and product names ("Principal Engineer", "Room D", "Solutions Showcase", "Ambient Mesh").
COMMON_NOUNS = {
    "Principal", "Engineer", "Senior", "Staff", "Director", "Manager", "Chief", "Officer", "Founder",
    "Advocate", "Architect", "Evangelist", "Technical", "Developer", "Developers", "Product", "Products",
    "Room", "Hall", "Stage", "Track", "Booth", "Showcase", "Solutions", "Services", "Service", "Mesh",
    "Thinking", "Programming", "Language", "Languages", "Specifications", "Snapshots", "Management",
    "Operator", "Storage", "Monitoring", "Observability", "Perception", "Workloads", "Workload",
}
_NOT_PERSON_WORDS |= COMMON_NOUNS
#: "Speaker" in Chinese, Japanese and Korean programmes ("分享嘉宾：赵旭，vivo 互联网，架构师").
CJK_SPEAKER_WORDS = (
    "分享嘉宾|演讲嘉宾|嘉宾|讲师|讲者|演讲者|分享人|主讲人|講師|登壇者|スピーカー|発表者|발표자|연사"
)
#: The end of a job title in Chinese or Japanese, after a speaker's organization ("UISEE 云脑研发总监").
_CJK_ROLE = re.compile(
    r"(?:师|总监|负责人|经理|专家|顾问|主管|总裁|创始人|研究员|布道者|开发者|成员|主席|董事|架构"
    r"|エンジニア|マネージャー|部長|代表|CEO|CTO|VP)$"
)
#: The end of an organization's name in Chinese or Japanese ("青云科技", "视源股份", "vivo 互联网", "株式会社").
_CJK_ORG_END = re.compile(
    r"(?:科技|技术|公司|集团|股份|互联网|网络|软件|信息|数据|云|银行|证券|保险|大学|学院|研究院|研究所|实验室|基金会|社区"
    r"|协会|联盟|中心|株式会社|会社|技術|研究所|財団|協会)$|^(?:株式会社|有限会社)"
)
#: The most common Chinese family names (a Han name of two to four characters starts with one).
_HAN_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆"
    "汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔"
    "伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙"
    "鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞"
    "姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
)
#: A Japanese name written as family name, a space, given name ("山田 太郎").
_JA_NAME = re.compile(r"[\u4e00-\u9fff]{1,3}[ \u3000][\u3040-\u30ff\u4e00-\u9fff]{1,4}")


def han_personal_name(text: str) -> bool:
    """Is ``text`` a Chinese name (a common family name and one to three characters) or a Japanese one
    written with a space between family and given name?"""
    return bool(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", text) and text[0] in _HAN_SURNAMES) or bool(
        _JA_NAME.fullmatch(text)
    )


_LOWER_NAME = re.compile(r"[a-z]{2,12}(?: [a-z]{2,14}){1,2}")  # "bo gao", among named people only
_SPLIT_AND = re.compile(r"\s*(?:&|\band\b|\bund\b|\bet\b|\be\b|\by\b|＆|、|和)\s*")


@dataclass
class Speaker:
    """A person of a speaker list (``span`` in the document) and the organization written with them."""

    name: str
    span: Span
    org: str | None = None
    org_span: Span | None = None


@dataclass
class Judge:
    """What decides whether a piece of a speaker list is a person: ``kind_of`` tells a known name's kind
    (the gazetteer's "org", "project", ...), ``label_of`` the model's entity label for a span."""

    kind_of: Callable[[str], str | None] = lambda name: None
    label_of: Callable[[int, int], str | None] = lambda a, b: None
    read_by_model: bool = False  # the document's language has a model: its PERSON labels can confirm names

    def person(self, text: str, a: int, b: int) -> bool:
        """Is ``text`` (at ``a``-``b`` in the document) a personal name?"""
        text = " ".join(text.split())  # a name hard-wrapped across lines is one name
        if not text or len(text) > 60:
            return False
        if _CJK_NAME.fullmatch(text):
            return self.kind_of(text) is None
        if not PERSON.fullmatch(text):
            return False
        words = text.split()
        if any(w.strip(".,") in _NOT_PERSON_WORDS for w in words) or any(w.isupper() and len(w) > 2 for w in words):
            return False
        if any(re.search(r"-[a-z]", w) for w in words):  # "Long-lived", "Cloud-native": no name's part
            return False
        if self.kind_of(text) is not None or ORG_SUFFIX.search(text):
            return False
        label = self.label_of(a, b)
        # a known given name first outweighs the model's ORG or PRODUCT ("Mitch Connors", "Neeraj Poddar"),
        # not its place ("Santa Clara")
        if label in ("ORG", "PRODUCT", "EVENT", "WORK_OF_ART") and starts_with_given_name(text):
            return True
        return label not in ("ORG", "PRODUCT", "GPE", "FAC", "EVENT", "WORK_OF_ART")

    def org(self, text: str) -> bool:
        """Could ``text`` be an organization's name (capitalized or known; not a sentence)?"""
        text = text.strip()
        if not text or len(text) > 60 or len(text.split()) > 6 or text[-1] in "?!":
            return False
        if self.kind_of(text) in ("org", "project"):
            return True
        if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):  # "驭势科技", "vivo 互联网": no letter case to tell,
            return bool(_CJK_ORG_END.search(text))  # a company's word at the end tells it
        return bool(re.match(r"[\w@][\w&.'’+-]*", text)) and (text[0].isupper() or text[0].isdigit()
                                                              or re.match(r"[a-z]+[A-Z.-]", text) is not None)


def confirmed(people: list[Speaker] | None, judge: Judge) -> bool:
    """Did the model call at least one of ``people`` a person (or read no text at all)?"""
    if not people:
        return False
    return not judge.read_by_model or any(judge.label_of(*p.span) == "PERSON" for p in people)


def parse_speakers(text: str, at: int, judge: Judge) -> list[Speaker] | None:
    """The people of a speaker list (``text`` stands at ``at`` in the document), or None when ``text``
    is not one (a piece that is neither a person nor an organization after a person). A list ends
    where a sentence about the speakers starts ("Jane Doe from Acme shows how ...")."""
    text = text[: list_end(text)]
    people: list[Speaker] = []
    pending: list[Speaker] = []  # people still without their organization
    for group_start, group in _pieces(text, at, r";|；|\s\|\s|\s/\s|\n"):
        for piece_start, piece in _pieces(group, group_start, r"[,，](?![^()（）]*[)）])"):
            piece_start, piece = _clean(piece, piece_start)
            if not piece:
                continue
            if people and not pending and _CJK_ROLE.search(piece):  # "赵旭，vivo 互联网，架构师": the role
                continue
            lead = re.match(r"(?i)(?:from|of|at|@|de|von|bei|chez)\s+", piece)
            if lead and pending and judge.org(piece[lead.end() :]):  # "Nicki Watt, from OpenCredo"
                org = piece[lead.end() :].strip()
                for p in pending:
                    p.org, p.org_span = org, (piece_start + lead.end(), piece_start + len(piece))
                pending = []
                continue
            if pending and _job_title(piece):  # "Giles Heron, Principal Engineer, Cisco": the role
                continue
            for i, (part_start, part) in enumerate(_pieces(piece, piece_start, _SPLIT_AND.pattern)):
                part_start, part = _clean(part, part_start)
                if not part:
                    continue
                if i == 0 and pending and judge.org(part) and not starts_with_given_name(part) and (
                    judge.kind_of(part) in (None, "org")
                    and not any(w.strip(".,") in _NOT_PERSON_WORDS for w in part.split())
                ):
                    # after "Name, " the slot of an organization: "Leo Liang, Cruise Automation", whatever
                    # the model makes of it
                    for p in pending:
                        p.org, p.org_span = part, (part_start, part_start + len(part))
                    pending = []
                    continue
                bound = _bound_org(part, part_start, judge)
                if bound is not None:  # "Avni Sharma from Intuit": her organization, and that of those before
                    names, org, org_span = bound
                    people.extend(Speaker(name, span, org, org_span) for name, span in names)
                    for p in pending:
                        p.org, p.org_span = org, org_span
                    pending = []
                elif judge.person(part, part_start, part_start + len(part)):
                    person = Speaker(part, (part_start, part_start + len(part)))
                    people.append(person)
                    pending.append(person)
                elif pending and judge.org(part):
                    for p in pending:
                        p.org, p.org_span = part, (part_start, part_start + len(part))
                    pending = []
                else:
                    return None
    return people or None


_TITLE_WORDS = COMMON_NOUNS | {"Lead", "Head", "PM", "VP", "CEO", "CTO", "CIO", "COO", "CISO", "SVP", "EVP"}
#: Words of job titles and departments: a name made of nothing else is a role, not an organization
#: ("Lead Technical Writer", "Independent Contributor", "Director of Engineering" -> "Engineering").
ROLE_WORDS = _TITLE_WORDS | {
    "Writer", "Contributor", "Independent", "Freelance", "Freelancer", "Consultant", "Student", "Researcher",
    "Maintainer", "Member", "Author", "Editor", "Intern", "Professor", "Volunteer", "Organizer", "Engineering",
    "Marketing", "Sales", "Operations", "Research", "Development", "Infrastructure", "Relations", "Community",
    "Head", "Technical", "Software", "Site", "Reliability", "Security", "Platform", "Open", "Source", "Program",
    "Programs", "of", "and", "&", "for",
}


def _job_title(piece: str) -> bool:
    """Is ``piece`` a job title ("Principal PM Lead", "Head of Engineering"), not a name or a company?"""
    words = piece.split()
    return 1 <= len(words) <= 5 and any(w in _TITLE_WORDS for w in words) and all(
        w[0].isupper() or w in ("of", "and", "&", "for") for w in words
    )


_CONNECTORS = {"from", "of", "at", "and", "und", "y", "e", "et", "de", "da", "do", "dos", "das", "du", "des",
               "van", "von", "der", "den", "la", "le", "del", "di", "bei", "chez", "with", "by"}


def list_end(text: str) -> int:
    """Where a speaker list written before a sentence about it ends: at the first word that is lower
    case and not a connector or name particle ("Abby Bangser from Syntasso highlights ...")."""
    for m in re.finditer(r"[\w'’.-]+", text):
        word = m.group()
        after_cjk_comma = text[: m.start()].rstrip().endswith(("，", "、"))  # "赵旭，vivo 互联网"
        name_word = word.lower() in _CONNECTORS or _LOWER_NAME.fullmatch(word) or after_cjk_comma
        if word[0].islower() and not name_word:
            cut = text[: m.start()].rstrip()
            return len(re.sub(r"[\s,;:–—-]+$", "", cut))
    return len(text)


def _bound_org(piece: str, at: int, judge: Judge) -> tuple[list[tuple[str, Span]], str, Span] | None:
    """``A & B @ Org``, ``A (Org)``, ``A from Org``: the people and their organization, or None."""
    m = re.fullmatch(r"(?P<names>.+?)\s*(?:@|\bfrom\b|\bof\b|\bat\b|\bde\b|\bvon\b|\bbei\b|–|—|\s-\s)"
                     r"\s*,?\s*(?P<org>[^@()&]+?)\s*"
                     r"|(?P<names2>.+?)\s*\((?P<org2>[^()]+)\)\s*", piece)
    if not m:
        return None
    names_text = m.group("names") or m.group("names2")
    org = (m.group("org") or m.group("org2") or "").strip()
    names_at = at + (m.start("names") if m.group("names") else m.start("names2"))
    org_at = at + (m.start("org") if m.group("org") else m.start("org2"))
    names = []
    for part_start, part in _pieces(names_text, names_at, _SPLIT_AND.pattern + r"|,"):
        part_start, part = _clean(part, part_start)
        if not part:
            continue
        if not (judge.person(part, part_start, part_start + len(part)) or _LOWER_NAME.fullmatch(part)):
            return None
        names.append((part, (part_start, part_start + len(part))))
    if not names or not org or not judge.org(org):
        return None
    return names, org, (org_at, org_at + len(org))


def _pieces(text: str, at: int, separator: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for m in re.finditer(separator, text):
        out.append((at + pos, text[pos : m.start()]))
        pos = m.end()
    out.append((at + pos, text[pos:]))
    return out


def _clean(piece: str, at: int) -> tuple[int, str]:
    """``piece`` without the spaces, emphasis and words around a name ("by", "with", "Speaker:")."""
    m = re.match(
        r"(?i)[\s*_`\"“”@]*(?:(?:presented\s+)?by\s+|with\s+|speakers?\s*:\s*|presenters?\s*:\s*|palestrantes?\s*:\s*"
        r"|referent(?:en|in)?\s*:\s*|intervenants?\s*:\s*|sprecher(?:in)?\s*:\s*"
        r"|(?:" + CJK_SPEAKER_WORDS + r")\s*[:：]\s*)?[\s*_`\"“”]*",
        piece,
    )
    lead = m.end() if m else 0
    core = piece[lead:].rstrip()
    core = re.sub(r"[\s*_`\"“”.]+$", "", core) if not re.search(r"\b[A-Z]\.$", core) else core.rstrip(" *_`")
    return at + lead, core
