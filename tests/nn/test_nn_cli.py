"""`python -m nn.NAME` works for every demo, from any directory, without NumPy warnings."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nn import DEMOS

REPO = Path(__file__).resolve().parents[2]


def run_module(args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-W", "error::RuntimeWarning", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_runs_as_a_module_and_explains_itself(name, tmp_path):
    completed = run_module(["-m", f"nn.{name}", "--seed", "0"], cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert "What this shows:" in completed.stdout


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_has_run_and_main(name):
    module = importlib.import_module(f"nn.{name}")
    assert callable(module.run) and callable(module.main)


def test_importing_nn_does_not_load_numpy(tmp_path):
    completed = run_module(["-c", "import sys, nn; print(len(nn.DEMOS), 'numpy' in sys.modules)"], cwd=tmp_path)
    assert completed.stdout.split() == [str(len(DEMOS)), "False"]


def test_network_with_a_missing_mnist_directory_fails_in_one_line(tmp_path):
    completed = run_module(["-m", "nn.network", "--mnist", str(tmp_path / "nowhere")], cwd=tmp_path)
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error:") and "train-images-idx3-ubyte" in completed.stderr
    assert len(completed.stderr.strip().splitlines()) == 1
