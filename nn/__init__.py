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
)
