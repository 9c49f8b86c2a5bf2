"""The layers are enforced, not only described: import-linter's contracts in pyproject.toml, run here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRONT_ENDS = {"recall.cli", "recall.tui", "recall.__main__"}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """import-linter over the `recall` and `nn` packages found first in `project`."""
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(project / "pyproject.toml")], cwd=project,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(project)})


def test_the_core_imports_no_front_end_and_nn_imports_no_recall():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_every_module_of_recall_is_core_or_a_front_end():
    """A new module is checked only if the core contract names it."""
    modules = {f"recall.{path.stem}" for path in (ROOT / "recall").glob("*.py") if path.stem != "__init__"}
    modules |= {f"recall.{path.name}" for path in (ROOT / "recall").iterdir()
                if (path / "__init__.py").exists()}
    assert modules - FRONT_ENDS == set(contracts()["core"]["source_modules"])


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("recall/store.py", "import textual", "The core imports no front end"),
    ("recall/study.py", "from recall.tui import app", "The core imports no front end"),
    ("nn/softmax.py", "import recall.deck", "The NumPy demos import nothing of recall"),
])
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, line, contract):
    for part in ("recall", "nn"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / module).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{line}\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "1 kept, 1 broken" in result.stdout
    assert contract in " ".join(result.stdout.split())
