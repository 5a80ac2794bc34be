"""A seeded synthetic corpus of conference write-ups, for benchmarks.

Three kinds of documents, as the extractor meets them: event pages that list talks with sched links,
day headings and times (``Title - Speaker, Org & Speaker, Org``), blog recaps with front matter
("Name from Org talked about ..."), and plain-text forum posts. Organizations and projects are drawn
from the CNCF landscape snapshot with a Zipf-like skew, so a few entities recur across many
documents (as in real write-ups) and most appear rarely. The same seed gives the same files.

    python -m bench.corpus 1000 /tmp/corpus
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

from kgkit.extraction.gazetteer import load_gazetteer

FIRST = [
    "Ana",
    "Ben",
    "Chen",
    "Dana",
    "Elif",
    "Femi",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kira",
    "Liam",
    "Mei",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wen",
    "Yara",
    "Zoe",
]
LAST = [
    "Alvarez",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Iyer",
    "Jansen",
    "Kowalski",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrova",
    "Rossi",
    "Schulz",
    "Tanaka",
    "Varga",
]
TOPICS = [
    "energy efficiency",
    "carbon-aware scheduling",
    "observability",
    "platform engineering",
    "supply chain security",
    "cost management",
    "WebAssembly",
    "eBPF",
    "GitOps",
    "LLM inference",
]
TITLES = [
    "Scaling {p} to a Thousand Clusters",
    "Lessons from Running {p} in Production",
    "{p} and {t}: What We Learned",
    "Lightning Talk: {t} with {p}",
    "Keynote: The Future of {t}",
    "Panel: {t} in the Real World",
    "Tutorial: Getting Started with {p}",
]
CITIES = [
    ("Paris", "Europe"),
    ("Amsterdam", "Europe"),
    ("London", "Europe"),
    ("Chicago", "North America"),
    ("Salt Lake City", "North America"),
    ("Hong Kong", "China"),
    ("New Delhi", "India"),
]
DAYS = [("Tuesday", 19), ("Wednesday", 20), ("Thursday", 21), ("Friday", 22)]


@dataclass
class Pools:
    orgs: list[str]
    projects: list[str]

    @classmethod
    def from_gazetteer(cls) -> Pools:
        gz = load_gazetteer()
        orgs = sorted(e.name for e in gz.entries.values() if e.kind == "org" and " " not in e.name.strip("."))
        projects = sorted(
            e.name
            for e in gz.entries.values()
            if e.kind == "project" and e.maturity in ("graduated", "incubating", "sandbox")
        )
        return cls(orgs, projects)


def _zipf(rng: random.Random, items: list[str]) -> str:
    """Pick with a heavy head: rank r is chosen with weight ~ 1/r."""
    n = len(items)
    r = int(n ** rng.random()) - 1  # log-uniform rank: P(rank) ~ 1/rank
    return items[min(max(r, 0), n - 1)]


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def event_page(i: int, rng: random.Random, pools: Pools) -> str:
    city, region = rng.choice(CITIES)
    year = rng.choice([2023, 2024, 2025])
    lines = [
        "---",
        f'title: "Talks we recommend at KubeCon + CloudNativeCon {region} {year}"',
        f"date: {year}-03-01",
        f"author: {_person(rng)}",
        "---",
        "",
        f"Our picks for KubeCon + CloudNativeCon {region} {year} in {city}, 19-22 March {year}.",
        "",
    ]
    for day, num in DAYS[: rng.randint(2, 4)]:
        lines += [f"### {day} {num}th of March", ""]
        for k in range(rng.randint(3, 8)):
            hour = 9 + k
            p, t = _zipf(rng, pools.projects), rng.choice(TOPICS)
            title = rng.choice(TITLES).format(p=p, t=t.title() if t.islower() else t)
            people = [_person(rng) for _ in range(rng.randint(1, 2))]
            org = _zipf(rng, pools.orgs)
            speakers = " & ".join(people) + f", {org}"
            lines += [
                f"{hour:02d}:00 - {hour:02d}:35 CET",
                "",
                f"* [{title} - {speakers}](https://sched.co/b{i}x{num}{k})",
                "",
            ]
    return "\n".join(lines) + "\n"


def recap(i: int, rng: random.Random, pools: Pools) -> str:
    city, region = rng.choice(CITIES)
    year = rng.choice([2023, 2024, 2025])
    paras = []
    for _ in range(rng.randint(4, 9)):
        who, org, proj, topic = _person(rng), _zipf(rng, pools.orgs), _zipf(rng, pools.projects), rng.choice(TOPICS)
        paras.append(
            rng.choice(
                [
                    f"{who} from {org} talked about {topic} with {proj}, and how it cut their costs.",
                    f"{org} presented their work on {topic}. This helped them reduce energy consumption by a third.",
                    f"{who}, Principal Engineer at {org}, explained how they run {proj} for {topic}.",
                    f"Engineers from {org} and {_zipf(rng, pools.orgs)} discussed {topic} at the {proj} booth.",
                ]
            )
        )
    body = "\n\n".join(paras)
    return (
        f'---\ntitle: "Our week at KubeCon {region} {year}"\ndate: {year}-04-0{rng.randint(1, 9)}\n'
        f"authors:\n  - name: {_person(rng)}\n---\n\nKubeCon + CloudNativeCon {region} {year} in {city} "
        f"brought together over {rng.randint(5, 15)},000 attendees.\n\n## Highlights\n\n{body}\n"
    )


def forum_post(i: int, rng: random.Random, pools: Pools) -> str:
    region, year = rng.choice(["EU", "NA"]), rng.choice([2024, 2025])
    org, proj = _zipf(rng, pools.orgs), _zipf(rng, pools.projects)
    return (
        f"KubeCon {region} {year} - my notes #{i}\n\nThe keynote on the second day was about sustainability. "
        f"{org} talked about moving batch jobs to greener hours, which cut their carbon footprint.\n\n"
        f"I also enjoyed the talk “{proj} at Scale in the Real World”, given by the speaker {_person(rng)}.\n"
    )


KINDS = (event_page, recap, forum_post)


def generate(n: int, out_dir: str | Path, seed: int = 42) -> list[Path]:
    """Write ``n`` documents (kinds in rotation) into ``out_dir``; the same seed gives the same files."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pools = Pools.from_gazetteer()
    paths = []
    for i in range(n):
        kind = KINDS[i % len(KINDS)]
        suffix = ".txt" if kind is forum_post else ".md"
        path = out / f"{i:05d}-{kind.__name__}{suffix}"
        path.write_text(kind(i, rng, pools), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    generate(int(sys.argv[1]), sys.argv[2], seed=int(sys.argv[3]) if len(sys.argv) > 3 else 42)
