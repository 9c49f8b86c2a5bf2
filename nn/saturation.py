"""Saturation: sigma'(z) vanishes in the sigmoid's flat tails, and so does the quadratic cost's gradient.

A single sigmoid neuron with input 1 and target 0 starts either mildly wrong, (w, b) = (0.6, 0.9), or
badly wrong and saturated, (2, 2). The quadratic cost's gradient carries sigma'(z), so the neuron that
is more wrong gets the smaller gradient; the cross-entropy's gradient is a - y and the order flips.
"""

import numpy as np

from nn import book
from nn.activations import SATURATED_SLOPE, sigmoid, sigmoid_prime
from nn.costs import CrossEntropyCost, QuadraticCost
from nn.terminal import chart, demo_parser, print_lines, what_this_shows

def _flat_beyond(level):
    """The |z| where sigma'(z) = sigma (1 - sigma) falls to `level`: solve the quadratic for sigma."""
    high_output = (1 + np.sqrt(1 - 4 * level)) / 2
    return float(np.log(high_output / (1 - high_output)))


def run(z_max=10.0, points=81):
    """sigma'(z) on a grid, and the single neuron's gradient dC/dw under both costs for both starts."""
    z = np.linspace(-z_max, z_max, points)
    x, y = book.SINGLE_NEURON_INPUT, np.array([book.SINGLE_NEURON_TARGET])
    starts = {}
    for name, (w, b, _) in book.SINGLE_NEURON_STARTS.items():
        weighted = np.array([w * x + b])
        starts[name] = {
            "w": w, "b": b, "z": float(weighted[0]),
            "output": float(sigmoid(weighted)[0]),
            "sigma_prime": float(sigmoid_prime(weighted)[0]),
            "grad_w_quadratic": float(QuadraticCost.delta(weighted, y)[0] * x),
            "grad_w_cross_entropy": float(CrossEntropyCost.delta(weighted, y)[0] * x),
        }
    sigma_prime = sigmoid_prime(z)
    return {
        "z": z.tolist(),
        "sigma_prime": sigma_prime.tolist(),
        "max_sigma_prime": float(sigma_prime.max()),
        "flat_beyond": _flat_beyond(SATURATED_SLOPE),
        "starts": starts,
    }


def argument_parser():
    """--seed, the only option (the demo is deterministic)."""
    return demo_parser(__doc__.splitlines()[0], "options a card may pass: none but --seed (the demo is deterministic)")


def main(argv=None):
    argument_parser().parse_args(argv)
    result = run()
    print(f"sigma'(z) for z from -10 to 10: peak 0.25 at z = 0, below {SATURATED_SLOPE} beyond ▲")
    print_lines(chart([("●", result["sigma_prime"])], 0.0, 0.25, result["z"], height=9, x_label="z",
                      y_ticks=(0.0, 0.125, 0.25), y_format="{:g}".format, mark=(-result["flat_beyond"], result["flat_beyond"])))
    print(f"  max sigma'(z) = {result['max_sigma_prime']:.3f}; below {SATURATED_SLOPE} once "
          f"|z| > {result['flat_beyond']:.2f}")
    for z in (0, 2, 4, 6, 10):
        print(f"  z = {z:>2}: sigma = {sigmoid(z):.6f}   sigma' = {sigmoid_prime(z):.2e}")
    print()
    print("One sigmoid neuron, input 1, target 0: the gradient dC/dw at the start")
    print("(book: the starting outputs)")
    print(f"  {'start (w, b)':<14}{'z':>5}{'output':>9}{'book':>7}{'sigma' + chr(39) + '(z)':>11}"
          f"{'quadratic':>12}{'cross-entropy':>15}")
    for name, start in result["starts"].items():
        book_output = book.SINGLE_NEURON_STARTS[name][2]
        pair = f"({start['w']}, {start['b']})"
        print(f"  {pair:<14}{start['z']:>5.1f}{start['output']:>9.3f}{book_output:>7.2f}"
              f"{start['sigma_prime']:>11.4f}{start['grad_w_quadratic']:>12.4f}{start['grad_w_cross_entropy']:>15.3f}")
    mild, saturated = result["starts"]["mild"], result["starts"]["saturated"]
    print(f"\n  quadratic cost: the worse start gets a "
          f"{mild['grad_w_quadratic'] / saturated['grad_w_quadratic']:.1f}x smaller gradient;")
    print(f"  cross-entropy: a {saturated['grad_w_cross_entropy'] / mild['grad_w_cross_entropy']:.2f}x larger one")
    what_this_shows(
        "the sigmoid is flat for large |z|, so sigma'(z) is tiny there. The quadratic cost's gradient "
        "(a - y) sigma'(z) x carries that factor, so a saturated neuron that is badly wrong learns slowest. "
        "The cross-entropy's gradient (a - y) x has no sigma'(z): the more wrong the neuron, the faster it learns."
    )


if __name__ == "__main__":
    main()
