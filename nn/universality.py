"""Universality: one hidden layer of sigmoid neurons, paired into bumps, approximates any continuous f(x).

The book's chapter 4 argument, built by hand rather than trained. A sigmoid neuron with a large input
weight w is a step at x = s (its bias is -w s). Two such neurons, one stepping up at s1 and one at s2, with
output weights +h and -h, make a bump of height h between s1 and s2. N hidden neurons make N/2 bumps side
by side; giving each the height of f at its middle makes the (linear) output a staircase that follows
f(x) = 0.2 + 0.4 x^2 + 0.3 x sin(15 x) + 0.05 cos(50 x), the book's example, and the error shrinks as
neurons are added.
"""

import math

import numpy as np

from nn import book
from nn.activations import sigmoid
from nn.terminal import bar, chart, demo_parser, float_range, legend, print_lines, what_this_shows

NEURONS = (2, 4, 8, 16, 32, 64, 128, 256)
CHART_NEURONS = (8, 32)
STEEPNESS = 1000.0  # the hidden neurons' input weight w: how sharp each step is
GRID = 2001  # points on [0, 1] where the error is measured
EPILOG = """options a card may pass:
  --steepness 1000    the hidden neurons' weight w: each step is 4.4/w wide
  --max-neurons 256   the largest hidden layer, a power of 2 up to 1024"""


def target(x):
    """The book's example function on [0, 1]."""
    return 0.2 + 0.4 * x ** 2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)


def bump_network(neurons, steepness=STEEPNESS, f=target):
    """Hidden weights, biases and output weights of a [1, neurons, 1] network of neurons/2 bumps of f.

    Bump k covers [k/m, (k+1)/m] of [0, 1] (m bumps), its height f at the middle. The outermost steps
    sit beyond [0, 1] (at -1 and 2), so the ends of the interval are inside a bump, not on a half-step.
    """
    bumps = neurons // 2
    edges = np.linspace(0.0, 1.0, bumps + 1)
    heights = f((edges[:-1] + edges[1:]) / 2)
    edges[0], edges[-1] = -1.0, 2.0
    up, down = edges[:-1], edges[1:]  # bump k: one neuron steps up at up[k], its partner at down[k]
    steps = np.concatenate([up, down])
    weights = np.full(neurons, steepness)
    return {"weights": weights, "biases": -steepness * steps, "output_weights": np.concatenate([heights, -heights]),
            "steps": steps}


def network_output(network, x):
    """The linear output sum_j v_j sigma(w_j x + b_j), for every x at once."""
    hidden = sigmoid(np.outer(x, network["weights"]) + network["biases"])
    return hidden @ network["output_weights"]


def step_width(steepness):
    """How far x travels while sigma(w (x - s)) rises from 0.1 to 0.9: 2 ln 9 / w."""
    return 2 * math.log(9.0) / steepness


def run(neurons=NEURONS, steepness=STEEPNESS):
    """Per hidden-layer size: mean and largest |error| on [0, 1]; and the curves for the charts."""
    x = np.linspace(0.0, 1.0, GRID)
    f = target(x)
    errors, curves = {}, {}
    for count in neurons:
        approximation = network_output(bump_network(count, steepness), x)
        error = np.abs(approximation - f)
        errors[count] = {"mean": float(error.mean()), "max": float(error.max())}
        if count in CHART_NEURONS:
            curves[count] = approximation.tolist()
    return {"x": x.tolist(), "target": f.tolist(), "steepness": steepness, "errors": errors, "curves": curves,
            "step_widths": {w: step_width(w) for w in (10.0, 100.0, steepness)}}


def _powers_of_two(limit):
    return tuple(2 ** k for k in range(1, int(math.log2(limit)) + 1))


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--steepness", type=float_range(0, 1e6, include_low=False), default=STEEPNESS,
                        help=f"the hidden neurons' input weight w (default {STEEPNESS:g})")
    parser.add_argument("--max-neurons", type=int, choices=_powers_of_two(1024), default=NEURONS[-1],
                        metavar="N", help=f"largest hidden layer, a power of 2 up to 1024 (default {NEURONS[-1]})")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(_powers_of_two(args.max_neurons), args.steepness)
    print("A step: a sigmoid neuron sigma(w x + b) with a large weight w rises from 0.1 to")
    print("0.9 within 4.4/w of x = -b/w:")
    print("  " + "   ".join(f"w = {w:g}: {width:.3g}" for w, width in result["step_widths"].items()))
    print("A bump: two steps, with output weights +h and -h. N hidden neurons make N/2")
    print("bumps, each as high as f at its middle, for the book's example")
    print("  f(x) = 0.2 + 0.4x² + 0.3x sin(15x) + 0.05cos(50x) on [0, 1]")
    print(f"with w = {result['steepness']:g}; the error |output - f(x)| over {GRID} points:\n")
    print(f"  {'hidden':>6}{'bumps':>7}{'mean |error|':>14}{'max |error|':>13}   mean |error|")
    errors = result["errors"]
    largest = max(error["mean"] for error in errors.values())
    for count, error in errors.items():
        print(f"  {count:>6}{count // 2:>7}{error['mean']:>14.4f}{error['max']:>13.4f}   "
              f"{bar(error['mean'], largest, 30)}")
    counts = list(errors)
    ratios = [errors[a]["mean"] / errors[b]["mean"] for a, b in zip(counts, counts[1:])]
    print(f"\n  doubling the neurons divides the mean error by {min(ratios):.1f} to {max(ratios):.1f}; "
          f"{counts[-1]} neurons:")
    print(f"  {errors[counts[-1]]['mean']:.4f}, {errors[counts[0]]['mean'] / errors[counts[-1]]['mean']:.0f}x "
          f"smaller than with {counts[0]}")
    print(f"  book: {book.UNIVERSALITY_CLAIM}")
    for count, curve in result["curves"].items():
        print(f"\n{count} hidden neurons ({count // 2} bumps):   "
              + legend(("●", "f(x)"), ("○", "the network's output"), ("◉", "both")))
        print_lines(chart([("●", result["target"]), ("○", curve)], 0.0, 1.0, result["x"], x_label="x",
                          height=13, y_ticks=(0.0, 0.25, 0.5, 0.75, 1.0), y_format="{:.2f}".format))
    what_this_shows(
        "a single hidden layer is enough to approximate any continuous function of one input as closely as "
        "we like: steep sigmoid neurons act as steps, pairs of steps make bumps, and enough bumps of the "
        "right heights trace out any curve. The price is neurons: each halving of the error costs about "
        "twice as many here, and the construction says nothing about whether training would find these "
        "weights, or about how well such a network generalises."
    )


if __name__ == "__main__":
    main()
