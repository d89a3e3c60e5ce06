"""The package as an analyst installs it: a wheel in a fresh environment, not the repository.

An editable install reads files from the working tree, so it hides a wheel that forgets
the layer catalogue or the translations. Here the wheel is built, installed without
``-e`` into a new virtual environment, and its ``atlas`` command is run from a folder
outside the repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from common import REAL_DATA

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def _run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """(bin folder of a fresh venv with the wheel installed, a work folder outside the repo)."""
    work = tmp_path_factory.mktemp("wheel")
    # Built from a copy of the sources: setuptools reuses an in-tree build/ folder, which
    # would let a module deleted from the tree slip into the wheel.
    source = work / "source"
    shutil.copytree(ROOT / "atlas", source / "atlas",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    built = _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                 "--wheel-dir", str(work / "dist"), str(source), cwd=work)
    assert built.returncode == 0, built.stderr
    wheels = list((work / "dist").glob("atlas_territorial-*.whl"))
    assert len(wheels) == 1, wheels
    venv = work / "venv"
    made = _run(sys.executable, "-m", "venv", str(venv), cwd=work)
    assert made.returncode == 0, made.stderr
    # The dependencies come from the test environment (no download), the package itself
    # only from the wheel: a plain path line, so the editable finder there is not loaded.
    purelib = Path(_run(str(venv / "bin" / "python"), "-c",
                        "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                        cwd=work).stdout.strip())
    (purelib / "test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = _run(str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps",
                   "--no-index", str(wheels[0]), cwd=work)
    assert install.returncode == 0, install.stderr
    return venv / "bin", work


def _env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ATLAS_")}
    env["ATLAS_LANG"] = "fr"
    return env


def test_the_installed_package_is_the_wheel_not_the_repository(installed):
    bindir, work = installed
    where = _run(str(bindir / "python"), "-c", "import atlas; print(atlas.__file__)", cwd=work)
    assert where.returncode == 0, where.stderr
    assert "site-packages" in where.stdout
    assert str(ROOT) not in where.stdout


def test_the_wheel_carries_the_layer_catalogue(installed):
    bindir, work = installed
    target = work / "catalogue.gpkg"
    init = _run(str(bindir / "atlas"), "init", "--atlas", str(target), cwd=work, env=_env())
    assert init.returncode == 0, init.stderr
    layers = _run(str(bindir / "atlas"), "layers", "--atlas", str(target), cwd=work, env=_env())
    assert layers.returncode == 0, layers.stderr
    for name in ("territories", "localities", "water_points", "schools", "mangroves",
                 "nubian_vaults", "biodigesters", "waste_sites", "activities"):
        assert name in layers.stdout


def test_the_wheel_imports_a_real_boundary_file(installed):
    bindir, work = installed
    target = work / "senegal.gpkg"
    assert _run(str(bindir / "atlas"), "init", "--atlas", str(target),
                cwd=work, env=_env()).returncode == 0
    imported = _run(str(bindir / "atlas"), "import", "--atlas", str(target),
                    "--layer", "territories", "--level", "1", "--mode", "replace",
                    str(REAL_DATA / "wof_sn" / "wof_sn_regions.gpkg"), cwd=work, env=_env())
    assert imported.returncode == 0, imported.stdout + imported.stderr
    layers = _run(str(bindir / "atlas"), "layers", "--atlas", str(target), cwd=work, env=_env())
    row = next(line for line in layers.stdout.splitlines() if "territories" in line)
    assert " 14 " in f" {row} "  # Senegal's 14 regions in the WOF file
