"""NumPy demos for Nielsen's *Neural Networks and Deep Learning*.

Importable without recall. `DEMOS` is the closed list of runnable demos: recall only ever runs
`python -m nn.<name>` for a name in this tuple, so a deck file cannot make it run anything else.
This module imports nothing heavy, so recall can read the list without loading NumPy.
"""

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
)
