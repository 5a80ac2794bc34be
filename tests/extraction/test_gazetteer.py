"""The gazetteer: landscape + curated entities, whole words, case rules."""

from __future__ import annotations

from pathlib import Path

from kgkit.extraction.gazetteer import DATA_DIR, load_gazetteer


def names(text: str) -> list[str]:
    return [m.entry.name for m in load_gazetteer().find(text)]


def test_landscape_and_curated_entries() -> None:
    gz = load_gazetteer()
    kepler = gz.get("project", "Kepler")
    assert kepler is not None and kepler.source == "landscape" and kepler.maturity == "sandbox"
    assert kepler.repo == "https://github.com/sustainable-computing-io/kepler"
    scaleway = gz.get("org", "Scaleway")
    assert scaleway is not None  # "Scaleway (member)" in the landscape, curated too
    assert gz.lookup("CNCF").name == "Cloud Native Computing Foundation"  # type: ignore[union-attr]
    assert gz.lookup("TAG ENV").name == "CNCF TAG Environmental Sustainability"  # type: ignore[union-attr]


def test_languages_are_not_projects() -> None:
    assert load_gazetteer().get("project", "Rust") is None


def test_whole_words_only() -> None:
    assert names("Kepler and Grafana at Deutsche Bahn") == ["Kepler", "Grafana", "Deutsche Bahn"]
    assert names("Keplerian orbits and Grafanas") == []


def test_common_words_do_not_match() -> None:
    assert names("the disks spin and the flux changes") == []
    assert names("Spin up a cluster. Flux is hard to explain.") == []  # sentence-initial
    assert names("leveraging Spin with WebAssembly") == ["Spin"]
    assert names("the introduction of SPIN a new project") == ["Spin"]


def test_case_variants_merge() -> None:
    assert names("The KubeCost folks and the Kube-Green project") == ["Kubecost", "kube-green"]
    assert names("some chatbots used k8sgpt") == ["K8sGPT"]


def test_longest_match_wins() -> None:
    assert names("deploying AWS Lambda functions") == ["AWS Lambda"]


def test_chinese_aliases() -> None:
    assert names("CNCF环境可持续发展技术咨询小组（TAG ENV）与云原生计算基金会（CNCF）合作") == [
        "CNCF TAG Environmental Sustainability", "CNCF TAG Environmental Sustainability",
        "Cloud Native Computing Foundation", "Cloud Native Computing Foundation"]
    assert names("加入slack channel") == ["Slack"]


def test_the_landscape_entries_kept_in_a_cache_are_the_parsed_ones(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    parsed = load_gazetteer().entries
    assert load_gazetteer(DATA_DIR, cache).entries == parsed  # parsed, then kept
    (kept,) = cache.glob("landscape-*.entries")
    load_gazetteer.cache_clear()
    assert load_gazetteer(DATA_DIR, cache).entries == parsed  # read back
    kept.write_text("[{", encoding="utf-8")  # damaged: parsed and kept again
    load_gazetteer.cache_clear()
    assert load_gazetteer(DATA_DIR, cache).entries == parsed
    assert kept.read_text(encoding="utf-8").startswith('[{"kind"')
    load_gazetteer.cache_clear()
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert load_gazetteer(DATA_DIR, blocked).entries == parsed  # cannot be kept: parsed each time
