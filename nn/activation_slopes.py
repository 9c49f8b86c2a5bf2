"""The slopes of sigmoid, tanh and ReLU neurons: how steep each gets, and where each goes flat.

A neuron learns through its slope: every gradient that passes through it is multiplied by the derivative
of its activation at its weighted input z. sigma'(z) = sigma(z)(1 - sigma(z)) peaks at 1/4;
tanh'(z) = 1 - tanh(z)² peaks at 1 but, since tanh(z) = 2 sigma(2z) - 1, squeezes the same curve into
half the z, so it goes flat sooner;
ReLU'(z) is exactly 1 for every z > 0 and exactly 0 for z < 0. (Named activation_slopes because
nn.activations is the module the other demos import the functions from.)
"""

import numpy as np

from nn.activations import SATURATED_SLOPE, sigmoid_prime
from nn.terminal import chart, demo_parser, float_range, int_range, legend, print_lines, what_this_shows

Z_LIMIT = 6.0
POINTS = 12001  # z = -6, -5.999, ..., 6
GLYPHS = {"sigmoid": "●", "tanh": "○", "ReLU": "▪"}
EPILOG = """options a card may pass:
  --layers 5          layers in a chain: largest slope to this power (1 to 20)
  --flat 0.01         the slope below which a neuron counts as flat (saturated)"""


def slopes(z):
    """Each activation's derivative at every z; ReLU'(0) is taken as 0."""
    tanh = np.tanh(z)
    return {"sigmoid": sigmoid_prime(z), "tanh": 1.0 - tanh * tanh, "ReLU": (z > 0).astype(float)}


def run(layers=5, flat=SATURATED_SLOPE):
    """Per activation: the largest slope and its z, the |z| beyond which the slope is under `flat` (for
    z > 0: None if never), the share of z in [-6, 6] where it is flat, and the largest slope to the power
    `layers` (the best a chain of that many such neurons can pass back)."""
    z = np.linspace(-Z_LIMIT, Z_LIMIT, POINTS)
    curves = slopes(z)
    summary = {}
    for name, slope in curves.items():
        positive_flat = z[(z > 0) & (slope < flat)]
        summary[name] = {
            "max": float(slope.max()),
            "argmax": float(z[np.argmax(slope)]),
            "flat_beyond": float(positive_flat[0]) if len(positive_flat) else None,
            "flat_share": float(np.mean(slope < flat)),
            "chain": float(slope.max()) ** layers,
        }
    exact = {"sigmoid": float(2 * np.arccosh(1 / (2 * np.sqrt(flat)))), "tanh": float(np.arccosh(1 / np.sqrt(flat)))}
    return {"z": z, "slopes": curves, "summary": summary, "layers": layers, "flat": flat, "exact_flat": exact}


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--layers", type=int_range(1, 20), default=5,
                        help="layers in the chain (default 5)")
    parser.add_argument("--flat", type=float_range(0, 0.2, include_low=False), default=SATURATED_SLOPE,
                        help=f"flat-slope threshold (default {SATURATED_SLOPE})")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)  # --seed is accepted; nothing here is random
    result = run(layers=args.layers, flat=args.flat)
    print(f"Slope of each activation for z from -{Z_LIMIT:g} to {Z_LIMIT:g}:  "
          + legend(*((glyph, name) for name, glyph in GLYPHS.items())))
    print_lines(chart([(GLYPHS[name], curve) for name, curve in result["slopes"].items()], 0.0, 1.0,
                      result["z"], height=11, y_ticks=(0.0, 0.25, 0.5, 0.75, 1.0), y_format="{:.2f}".format,
                      x_label="z"))
    flat = result["flat"]
    print(f"\n  {'':<9}{'largest':>8}{'at z':>6}{f'slope < {flat:g} for':>20}{'flat share':>12}"
          f"{'largest^' + str(result['layers']):>13}")
    for name, values in result["summary"].items():
        beyond = "z < 0" if name == "ReLU" else f"|z| > {values['flat_beyond']:.3f}"
        print(f"  {name:<9}{values['max']:>8.2f}{values['argmax']:>6.1f}{beyond:>20}"
              f"{values['flat_share']:>12.0%}{values['chain']:>13.3g}")
    exact = result["exact_flat"]
    print(f"\n  exactly: sigma' < {flat:g} beyond |z| = {exact['sigmoid']:.3f}, tanh' beyond {exact['tanh']:.3f} "
          "(since")
    print("  tanh'(z) = 4 sigma'(2z), it is the sigmoid's slope 4 times as high, squeezed")
    print("  into half the z).")
    print("  ReLU' is 1 for every z > 0, however large, and 0 for every z < 0.")
    print("  book (chapter 5): sigma' is at most 1/4, so with weights below 1 each sigmoid")
    print("  layer shrinks the gradient by a factor of 4 or more.")
    what_this_shows(
        "a sigmoid neuron passes back at most a quarter of the gradient and almost none once |z| passes "
        "about 4.6; tanh passes back up to all of it, but goes flat already beyond |z| of about 3. A ReLU "
        "neuron never saturates for z > 0, so its slope stays 1 however strongly it is driven, which is why "
        "deep ReLU networks learn where sigmoid ones stall; for z < 0 its slope is exactly 0, so a neuron "
        "whose z stays negative for every input stops learning altogether."
    )


if __name__ == "__main__":
    main()
