"""Softmax and the log-likelihood cost: a probability distribution with a simple, stable gradient.

Softmax turns any weighted inputs z into positive outputs that sum to 1; adding a constant to every z
changes nothing, which is why subtracting max(z) first is free and keeps exp from overflowing. With the
log-likelihood cost -ln a_y, the output-layer delta is simply a - y.
"""

import numpy as np

from nn.activations import log_sum_exp, softmax
from nn.costs import LogLikelihoodCost
from nn.gradient_check import numerical_gradient
from nn.terminal import bar, demo_parser, float_range, int_range, what_this_shows

MAX_SIZE = 6  # beyond this the gradient rows no longer fit in 80 columns
EPILOG = """options a card may pass:
  --size 4        number of outputs (2 to 6)
  --shift 1000    the constant added to every z to test overflow"""


def naive_softmax(z):
    """exp(z) / sum(exp(z)) without subtracting the max: what goes wrong at large z."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.exp(z) / np.sum(np.exp(z))


def run(seed=0, size=4, shift=100.0, large=1000.0):
    """The numbers behind each claim, for a random z of `size` outputs with target class 0."""
    z = np.random.default_rng(seed).normal(0.0, 2.0, size)
    y = np.eye(size)[0]
    a = softmax(z)
    analytic = LogLikelihoodCost.delta(z, y)
    nudged = z.copy()
    numeric = numerical_gradient(lambda: LogLikelihoodCost.value(nudged, y), nudged)
    large_z = z + large
    return {
        "z": z.tolist(),
        "softmax": a.tolist(),
        "sum": float(a.sum()),
        "shift": shift,
        "shift_max_difference": float(np.max(np.abs(softmax(z + shift) - a))),
        "cost": float(LogLikelihoodCost.value(z, y)),
        "minus_log_a_y": float(-np.log(a[0])),
        "gradient": analytic.tolist(),
        "numerical_gradient": numeric.tolist(),
        "gradient_max_difference": float(np.max(np.abs(analytic - numeric))),
        "large": large,
        "naive_at_large": naive_softmax(large_z).tolist(),
        "stable_at_large": softmax(large_z).tolist(),
        "log_sum_exp_at_large": float(log_sum_exp(large_z)),
    }


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--size", type=int_range(2, MAX_SIZE), default=4, help="number of outputs z (default 4)")
    parser.add_argument("--shift", type=float_range(-1e6, 1e6), default=1000.0,
                        help="the large constant added to z to test stability (default 1000)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, size=args.size, large=args.shift)
    z, a = np.array(result["z"]), np.array(result["softmax"])
    print("A probability distribution: softmax(z) for random weighted inputs z")
    print("(target class 0):")
    for j, (zj, aj) in enumerate(zip(z, a)):
        print(f"  z_{j} = {zj:>6.2f}   a_{j} = {aj:.4f}  {bar(aj, 1.0)}")
    print(f"  every a_j > 0, and they sum to {result['sum']:.15f}")
    print(f"\nShift invariance: softmax(z + {result['shift']:g}) differs from softmax(z) by at most "
          f"{result['shift_max_difference']:.1e}")
    print(f"\nLog-likelihood cost -ln a_y = {result['minus_log_a_y']:.6f};")
    print(f"computed as log-sum-exp(z) - z_y = {result['cost']:.6f}")
    print("Its gradient dC/dz:")
    print(f"  {'a - y:':<16}" + "".join(f"{g:>10.6f}" for g in result["gradient"]))
    print(f"  {'central diff.:':<16}" + "".join(f"{g:>10.6f}" for g in result["numerical_gradient"]))
    print(f"  largest difference {result['gradient_max_difference']:.1e}")
    print(f"\nStability at large z (z + {result['large']:g}):")
    print(f"  {'exp(z) / sum exp(z):':<24}" + "".join(f"{v:>9.4f}" for v in result["naive_at_large"]))
    print(f"  {'max(z) subtracted first:':<24}" + "".join(f"{v:>9.4f}" for v in result["stable_at_large"]))
    overflow = "overflows" if np.isnan(result["naive_at_large"]).any() else "does not overflow at this shift"
    print(f"  log-sum-exp(z) = {result['log_sum_exp_at_large']:.4f} (finite; exp({result['large']:g}) {overflow})")
    what_this_shows(
        "softmax outputs are positive and sum to 1, so they read as the network's probabilities for each "
        "class. Only differences between the z's matter, so subtracting the largest z avoids overflow at no "
        "cost, and log-sum-exp keeps the log-likelihood finite. Its gradient with respect to z is simply "
        "a - y, with no sigma'(z) factor, so softmax outputs do not suffer learning slowdown."
    )


if __name__ == "__main__":
    main()
