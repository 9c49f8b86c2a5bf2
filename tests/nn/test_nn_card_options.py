"""A card may pass options to its demo (`demo = "network --eta 100"`): nn.CARD_OPTIONS lists them, each
demo's argparse takes exactly those (and --seed), its --help names them, and nn.split_demo checks a card's
field without NumPy."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from nn import CARD_OPTIONS, DEMOS, split_demo

REPO = Path(__file__).resolve().parents[2]
NOT_FOR_CARDS = {"network": {"--mnist"}}  # reads files a deck should not point at


def parser_options(name):
    parser = importlib.import_module(f"nn.{name}").argument_parser()
    return {option for action in parser._actions for option in action.option_strings} - {"-h", "--help"}


def test_every_demo_has_card_options():
    assert set(CARD_OPTIONS) == set(DEMOS)


@pytest.mark.parametrize("name", DEMOS)
def test_each_demo_takes_exactly_its_card_options_and_seed(name):
    assert parser_options(name) == {"--seed", *CARD_OPTIONS[name]} | NOT_FOR_CARDS.get(name, set())


@pytest.mark.parametrize("name", DEMOS)
def test_every_example_in_a_demos_help_parses_and_names_a_card_option(name):
    parser = importlib.import_module(f"nn.{name}").argument_parser()
    section = parser.epilog.split("options a card may pass:")[1].split("\n\n")[0]
    examples = re.findall(r"^  (--[a-z-]+) (\S+)", section, flags=re.MULTILINE)
    assert [option for option, _ in examples] == [option for option in CARD_OPTIONS[name] if option != "--lambda"]
    for option, value in examples:
        parser.parse_args([option, value])
        assert split_demo(f"{name} {option} {value}") == (name, [option, value])


@pytest.mark.parametrize("name, arguments", [
    ("network", ["--epochs", "0"]), ("network", ["--train-size", "100000000"]), ("network", ["--eta", "nan"]),
    ("softmax", ["--size", "7"]), ("convolution", ["--maps", "100"]), ("backprop", ["--sizes", "6,5,x"]),
    ("universality", ["--max-neurons", "100"]), ("overfitting", ["--lmbda", "-1"]),
])
def test_values_that_would_take_hours_or_make_no_sense_are_refused(name, arguments):
    parser = importlib.import_module(f"nn.{name}").argument_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(arguments)


@pytest.mark.parametrize("spec, expected", [
    ("network --eta 100", ("network", ["--eta", "100"])),
    ("network --eta=100 --epochs 2", ("network", ["--eta", "100", "--epochs", "2"])),
    ("softmax --shift -5", ("softmax", ["--shift", "-5"])),
    ("overfitting --lambda 0", ("overfitting", ["--lambda", "0"])),
    ("saturation --seed 3", ("saturation", ["--seed", "3"])),
    ("  cross_entropy  ", ("cross_entropy", [])),
])
def test_split_demo_accepts_a_name_and_its_options(spec, expected):
    assert split_demo(spec) == expected


@pytest.mark.parametrize("spec, message", [
    ("", "empty"), ("nope", "not a demo"), ("network --mnist /home", "no option '--mnist'"),
    ("network --eta", "needs a value"), ("network --eta --epochs 2", "needs a value"),
    ("network extra", "no option 'extra'"), ('network "--eta 3', "cannot be split"),
    ("saturation --eta 1", "no option '--eta'"), ("network --help", "no option '--help'"),
])
def test_split_demo_refuses_what_the_demo_does_not_list(spec, message):
    with pytest.raises(ValueError, match=message):
        split_demo(spec)


def test_split_demo_does_not_load_numpy():
    code = "import sys, nn; nn.split_demo('network --eta 100'); print('numpy' in sys.modules)"
    completed = subprocess.run([sys.executable, "-P", "-c", code], env=dict(os.environ, PYTHONPATH=str(REPO)),
                               capture_output=True, text=True, timeout=60)
    assert completed.stdout.strip() == "False"


def test_a_demo_run_with_card_options_uses_them_and_a_bad_value_fails_in_one_line(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    name, arguments = split_demo("network --eta 100 --epochs 1 --train-size 300 --size 8")
    completed = subprocess.run([sys.executable, "-P", "-m", f"nn.{name}", *arguments], cwd=tmp_path, env=env,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "eta 100" in completed.stdout and "1 epoch on 300 synthetic" in completed.stdout
    failed = subprocess.run([sys.executable, "-P", "-m", "nn.network", "--epochs", "0"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert failed.returncode == 2 and "Traceback" not in failed.stderr
    assert failed.stderr.strip().splitlines()[-1] == \
        "python -m nn.network: error: argument --epochs: must be from 1 to 100, not 0"
