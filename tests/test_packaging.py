"""The wheel: built from this tree, installed into a fresh venv, run from another directory."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from nn import DEMOS
from recall import __version__

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed. Its dependencies come from this interpreter's site-packages
    (through a .pth line), so nothing is downloaded; recall itself only from the wheel."""
    work = tmp_path_factory.mktemp("packaging")
    # With hatchling installed here the build is offline; otherwise pip fetches it from the package registry.
    offline_build = ["--no-build-isolation"] if importlib.util.find_spec("hatchling") else []
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", *offline_build, "-q", "-w", work / "dist", ROOT,
        cwd=work)
    (wheel,) = (work / "dist").glob("recall-*.whl")
    env = work / "env"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", env, cwd=work)
    python = env / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel, cwd=work)
    site_packages = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])",
                             cwd=work).stdout.strip())
    (site_packages / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A working directory with no source tree in it."""
    return tmp_path


def test_recall_check_passes_on_the_bundled_deck(venv, elsewhere):
    out = run(venv / "bin" / "recall", "check", cwd=elsewhere).stdout
    assert out.startswith("OK: ") and "deck(s)" in out


def test_demo_list_names_every_demo(venv, elsewhere):
    lines = run(venv / "bin" / "recall", "demo", "--list", cwd=elsewhere).stdout.splitlines()
    assert [line.split()[0] for line in lines if not line.startswith(" ")] == list(DEMOS)  # indented: wrapped
    assert max(map(len, lines)) <= 80


def test_python_m_recall_version(venv, elsewhere):
    assert run(venv / "bin" / "python", "-m", "recall", "--version", cwd=elsewhere).stdout == (
        f"recall, version {__version__}\n")


def test_the_installed_package_and_its_bundled_deck_live_in_site_packages(venv, elsewhere):
    out = run(venv / "bin" / "python", "-c",
              "import sysconfig, recall, nn, recall.config as c; "
              "print(sysconfig.get_paths()['purelib']); print(recall.__file__); print(nn.__file__); "
              "print(c.bundled_cards_dir())", cwd=elsewhere).stdout.splitlines()
    site_packages, recall_file, nn_file, bundled = map(Path, out)
    assert site_packages in recall_file.parents and site_packages in nn_file.parents
    assert bundled == site_packages / "recall" / "bundled_cards"
    assert sorted(p.name for p in bundled.glob("*.toml")) == sorted(p.name for p in (ROOT / "cards").glob("*.toml"))
