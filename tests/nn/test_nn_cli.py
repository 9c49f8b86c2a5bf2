"""`python -m nn.NAME` works for every demo, from any directory, without NumPy warnings, in 80 columns,
with one BLAS thread."""

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


BLAS_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
_demo_runs = {}


def demo_output(name, tmp_path_factory):
    """One run of `python -P -m nn.NAME --seed 0` from a scratch directory, shared by the tests below."""
    if name not in _demo_runs:
        _demo_runs[name] = run_module(["-P", "-m", f"nn.{name}", "--seed", "0"],
                                      cwd=tmp_path_factory.mktemp(name))
    return _demo_runs[name]


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_runs_as_a_module_and_explains_itself(name, tmp_path_factory):
    completed = demo_output(name, tmp_path_factory)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    assert "What this shows:" in completed.stdout


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_fits_in_80_columns(name, tmp_path_factory):
    lines = demo_output(name, tmp_path_factory).stdout.splitlines()
    too_wide = [line for line in lines if len(line) > 80]
    assert not too_wide, f"{len(too_wide)} lines wider than 80 columns, the first {len(too_wide[0])}"
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_help_fits_in_80_columns_and_names_the_options_a_card_may_pass(name, tmp_path):
    completed = run_module(["-P", "-m", f"nn.{name}", "--help"], cwd=tmp_path)
    assert completed.returncode == 0 and completed.stdout.startswith(f"usage: python -m nn.{name} ")
    assert "options a card may pass" in completed.stdout
    assert max(len(line) for line in completed.stdout.splitlines()) <= 80


def without_blas_variables():
    return {name: value for name, value in os.environ.items() if name not in BLAS_VARIABLES}


def run_clean(args, cwd, **extra):
    env = dict(without_blas_variables(), PYTHONPATH=str(REPO), **extra)
    return subprocess.run([sys.executable, "-P", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_demo_process_sets_one_blas_thread_and_openblas_uses_one(tmp_path):
    completed = run_clean(["-m", "nn._threads"], cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith("BLAS threads: 1 ")
    assert all(f"{name}=1" in completed.stdout for name in BLAS_VARIABLES)


def test_the_timing_demo_reports_that_it_ran_on_one_blas_thread(tmp_path):
    completed = run_clean(["-m", "nn.matrix_backprop", "--repeats", "1"], cwd=tmp_path)
    assert completed.returncode == 0, completed.stderr
    assert "timed on 1 BLAS thread" in completed.stdout
    # the book's figure beside ours, and no claim that the gain grows with the batch (issue 13)
    assert "book: about a factor of two" in completed.stdout
    assert "bigger the saving" not in completed.stdout


def test_a_thread_count_the_user_set_wins(tmp_path):
    completed = run_clean(["-m", "nn._threads"], cwd=tmp_path, OPENBLAS_NUM_THREADS="2")
    assert "OPENBLAS_NUM_THREADS=2" in completed.stdout and "OMP_NUM_THREADS=1" in completed.stdout
    if (os.cpu_count() or 1) >= 2:
        assert completed.stdout.startswith("BLAS threads: 2 ")


def test_importing_nn_elsewhere_leaves_the_thread_variables_alone(tmp_path):
    """recall imports `nn` for DEMOS: that must not pin recall's own NumPy or its children."""
    code = "import os, nn; print([name for name in nn.BLAS_THREAD_VARIABLES if name in os.environ])"
    completed = run_clean(["-c", code], cwd=tmp_path)
    assert completed.stdout.strip() == "[]"


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
