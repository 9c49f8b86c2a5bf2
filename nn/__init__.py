"""NumPy demos for Nielsen's *Neural Networks and Deep Learning*.

Importable without recall. `DEMOS` is the closed list of runnable demos: recall only ever runs
`python -m nn.<name>` for a name in this tuple, so a deck file cannot make it run anything else.
This module imports nothing heavy, so recall can read the list without loading NumPy.

A demo run as `python -m nn.NAME` uses one BLAS thread. Python imports this package while it locates
the demo, before any of the demo's modules imports NumPy, and sys.argv[0] is "-m" only then (documented
for -m): that is when the thread variables are set. Importing `nn` anywhere else (recall reading
`DEMOS`, the tests) changes nothing. A value already in the environment wins. See nn/_threads.py.
"""

import os
import sys

BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def pin_blas_threads(environ=os.environ):
    """Set each BLAS thread-count variable to 1 unless it is set; BLAS reads them when NumPy loads it."""
    for name in BLAS_THREAD_VARIABLES:
        environ.setdefault(name, "1")


if sys.argv[:1] == ["-m"]:  # `python -m nn.NAME` is locating its module: a demo process is starting
    pin_blas_threads()

DEMOS = (
    "saturation",
    "cross_entropy",
    "softmax",
    "backprop",
    "network",
    "overfitting",
    "initialization",
    "vanishing_gradient",
    "matrix_backprop",
    "universality",
    "convolution",
    "learning_rates",
    "momentum",
    "activation_slopes",
    "exploding_gradient",
    "l1_l2",
    "dropout",
)

# The options a card may pass to each demo, as in `demo = "network --eta 100"`; every demo also takes
# --seed. Each option takes one value; its range is checked by the demo's argparse, and its --help
# lists them. recall can check a card against this table without importing NumPy.
CARD_OPTIONS = {
    "saturation": (),
    "cross_entropy": ("--eta", "--epochs"),
    "softmax": ("--size", "--shift"),
    "backprop": ("--sizes", "--batch"),
    "network": ("--eta", "--epochs", "--hidden", "--mini-batch-size", "--cost", "--init", "--train-size", "--size"),
    "overfitting": ("--lmbda", "--lambda", "--epochs", "--train-size", "--eta"),
    "initialization": ("--epochs", "--eta", "--lmbda", "--lambda", "--train-size"),
    "vanishing_gradient": ("--epochs", "--eta", "--train-size"),
    "matrix_backprop": ("--batch-sizes", "--repeats"),
    "universality": ("--steepness", "--max-neurons"),
    "convolution": ("--maps", "--epochs", "--train-size", "--eta"),
    "learning_rates": ("--epochs", "--train-size", "--lmbda", "--lambda"),
    "momentum": ("--eta", "--momentum"),
    "activation_slopes": ("--layers", "--flat"),
    "exploding_gradient": ("--layers",),
    "l1_l2": ("--lambda-abs", "--lambda-sq", "--steps"),
    "dropout": ("--p", "--hidden", "--epochs", "--train-size"),
}
_NUMBER = r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"  # a value may start with "-" only as a number


def split_demo(spec):
    """A card's demo field, "NAME [--option VALUE]...", as (NAME, [arguments]) for `python -m nn.NAME`.

    Raises ValueError (one sentence) for a name not in DEMOS, an option the demo does not list in
    CARD_OPTIONS, or an option without its value. Option values are not checked here: the demo's
    argparse refuses a bad one and exits with status 2.
    """
    import re  # here, not at the top: recall imports this package at startup for DEMOS alone
    import shlex

    try:
        words = shlex.split(spec)
    except ValueError as error:  # an unclosed quote
        raise ValueError(f"demo {spec!r} cannot be split into words ({error})") from None
    if not words:
        raise ValueError("the demo field is empty")
    name, *tokens = words
    if name not in DEMOS:
        raise ValueError(f"{name!r} is not a demo (known: {', '.join(DEMOS)})")
    allowed = ("--seed", *CARD_OPTIONS[name])
    arguments = []
    while tokens:
        option, *value = tokens.pop(0).split("=", 1)
        if option not in allowed:
            raise ValueError(f"demo {name!r} takes no option {option!r} (it takes {', '.join(allowed)})")
        if not value:
            if not tokens or (tokens[0].startswith("-") and not re.fullmatch(_NUMBER, tokens[0])):
                raise ValueError(f"option {option} of demo {name!r} needs a value")
            value = [tokens.pop(0)]
        arguments += [option, value[0]]
    return name, arguments
