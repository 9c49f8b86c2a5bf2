"""Demos run the `nn` that recall imported, never an `nn/` planted in the working directory or on PYTHONPATH.

`python -m` puts the current directory first on `sys.path`; a folder downloaded from anywhere may hold an
`nn/` package. Each planted file writes a marker when it runs, so "never ran" is checked, not inferred.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from recall.demos import stream_demo

DEMO_OUTPUT = "What this shows:"


@pytest.fixture
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """A folder holding a hostile `nn/` package (with a `saturation` demo); and the marker it writes."""
    folder = tmp_path / "downloaded-course"
    (folder / "nn").mkdir(parents=True)
    marker = tmp_path / "planted-nn-ran"
    writes_marker = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('ran')\n"
    (folder / "nn" / "__init__.py").write_text(writes_marker + "DEMOS = ('saturation',)\n")
    (folder / "nn" / "saturation.py").write_text(writes_marker + "print('planted demo')\n")
    return folder, marker


async def demo_lines(name: str) -> list[str]:
    return [line async for line in stream_demo(name)]


async def test_a_demo_never_imports_nn_from_the_working_directory(planted, monkeypatch):
    folder, marker = planted
    monkeypatch.chdir(folder)
    lines = await demo_lines("saturation")
    assert not marker.exists()
    assert any(DEMO_OUTPUT in line for line in lines) and "planted demo" not in lines


@pytest.mark.parametrize("python_path", ["{folder}", "{pathsep}{folder}{pathsep}", "", "{pathsep}/nowhere", ".",
                                         "downloaded-course"])
async def test_a_demo_never_imports_nn_from_an_inherited_pythonpath(planted, monkeypatch, python_path):
    folder, marker = planted
    monkeypatch.chdir(folder if python_path != "downloaded-course" else folder.parent)
    monkeypatch.setenv("PYTHONPATH", python_path.format(folder=folder, pathsep=os.pathsep))
    lines = await demo_lines("saturation")
    assert not marker.exists()
    assert any(DEMO_OUTPUT in line for line in lines) and "planted demo" not in lines


def test_recall_demo_run_from_a_folder_with_a_planted_nn_runs_the_real_demo(planted):
    folder, marker = planted
    recall = Path(sys.executable).with_name("recall")
    completed = subprocess.run([str(recall), "demo", "saturation"], cwd=folder, capture_output=True, text=True,
                               timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert not marker.exists()
    assert DEMO_OUTPUT in completed.stdout and "planted demo" not in completed.stdout


def test_a_card_passes_only_listed_options_to_its_demo():
    import sys

    import pytest

    from recall.demos import DemoError, demo_command

    assert demo_command("cross_entropy --eta 0.5") == [sys.executable, "-P", "-m", "nn.cross_entropy", "--eta", "0.5"]
    with pytest.raises(DemoError, match="takes no option '--mnist'"):
        demo_command("network --mnist /etc")
