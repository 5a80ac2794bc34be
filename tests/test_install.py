"""kgkit as a user installs it: a wheel built from the checkout, installed (not editable) with its
dependencies into a fresh virtual environment, then run from an empty directory, where nothing of the
checkout can be found. Needs the package index (the dependencies) and takes a minute or more."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from paths import ROOT

import kgkit

pytestmark = [pytest.mark.slow, pytest.mark.external]

RESOURCES = ROOT / "kgkit" / "resources"


@dataclass(frozen=True)
class Installed:
    wheel: Path
    bin: Path  # the fresh environment's scripts: python, pip, kgkit


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 900) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("install")
    # a copy of what the wheel is built from, so the build writes nothing into the checkout (and no
    # build/ left from an earlier build can slip old files into the wheel)
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "kgkit", source / "kgkit",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".kgkit-*"))
    dist = work / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source, cwd=work)
    (wheel,) = dist.glob("kgkit-*.whl")
    venv = work / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=work)
    bin_dir = venv / "bin"
    # the dependencies from the package index, as a user gets them (not byte-compiled on the way in: that
    # halves the install, and Python compiles what it imports anyway)
    run(bin_dir / "python", "-m", "pip", "install", "-q", "--no-compile", wheel, cwd=work)
    return Installed(wheel, bin_dir)


def environment(installed: Installed) -> dict[str, str]:
    """The user's environment with the fresh one first on PATH and nothing pointing at the checkout."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{installed.bin}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(installed.bin.parent)
    return env


def test_the_wheel_holds_every_resource(installed: Installed) -> None:
    assert installed.wheel.name.startswith(f"kgkit-{kgkit.__version__}-"), installed.wheel.name
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    shipped = {str(p.relative_to(ROOT)) for p in RESOURCES.rglob("*")
               if p.is_file() and "__pycache__" not in p.parts}
    assert shipped and shipped <= names, sorted(shipped - names)
    assert "kgkit/py.typed" in names
    assert not any(n.startswith(("tests/", "bench/", "data/", "queries/")) for n in names)


def test_build_validate_and_query_from_an_empty_directory(installed: Installed, tmp_path: Path) -> None:
    env = environment(installed)
    where = run(installed.bin / "python", "-c", "import kgkit; print(kgkit.__file__)", cwd=tmp_path, env=env)
    assert Path(where.strip()).is_relative_to(installed.bin.parent), where  # the installed kgkit, not the checkout
    kgkit = installed.bin / "kgkit"
    run(kgkit, "build", cwd=tmp_path, env=env)  # the bundled corpus, into ./build
    assert (tmp_path / "build" / "kg.nq").stat().st_size > 10_000
    run(kgkit, "validate", cwd=tmp_path, env=env)
    table = run(kgkit, "query", "orgs-on-sustainability", cwd=tmp_path, env=env)
    header = table.splitlines()[0]
    assert all(column in header for column in ("organization", "evidence", "sessions", "documents")), table
    assert "CNCF TAG Environmental Sustainability" in table and "Deutsche Bahn" in table
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # nothing else written here


def test_query_list_names_every_canned_query(installed: Installed, tmp_path: Path) -> None:
    listing = run(installed.bin / "kgkit", "query", "--list", cwd=tmp_path, env=environment(installed))
    names = sorted(p.stem for p in (RESOURCES / "queries").glob("*.rq"))
    assert len(names) >= 7
    listed = [line.split()[0] for line in listing.splitlines() if line and not line[0].isspace()]
    assert listed == names, listing
