"""The exploding gradient: the book's chain of sigmoid neurons, with every factor w sigma'(z) above 1.

A chain of single sigmoid neurons, a_j = sigma(w_j a_{j-1} + b_j), input a_0 = 1. Backpropagation gives
dC/db_j = sigma'(z_j) w_{j+1} sigma'(z_{j+1}) ... w_L sigma'(z_L) dC/da_L, so the gradient at layer j is
the gradient at the last layer times one factor w_k sigma'(z_k) for each layer after j. Following the
book's construction, every weight is w and each bias is b_j = -w a_{j-1}, so every z_j = 0 and every
sigma'(z_j) = 1/4: each factor is w/4. The gradients here come from backpropagating through the chain.
"""

import numpy as np

from nn.activations import sigmoid, sigmoid_prime
from nn.terminal import demo_parser, int_range, what_this_shows

WEIGHTS = (1.0, 10.0, 100.0)
RANDOM_CHAINS = 10000
SATURATED_WEIGHT = 10.0  # with zero biases; at w = 100 sigma'(100) underflows to exactly 0 in float64
EPILOG = """options a card may pass:
  --layers 5          neurons in the chain, 2 to 12"""


def chain_gradients(weights, biases, x=1.0):
    """dC/db_j for every neuron of every chain, divided by dC/da_L (so the cost does not matter).

    weights, biases: (chains, layers). Returns (chains, layers) and the weighted inputs z.
    """
    a = np.full(weights.shape[0], x)
    zs = []
    for layer in range(weights.shape[1]):
        z = weights[:, layer] * a + biases[:, layer]
        zs.append(z)
        a = sigmoid(z)
    zs = np.array(zs).T
    delta = sigmoid_prime(zs[:, -1])  # dC/dz_L per unit of dC/da_L
    grads = [delta]
    for layer in range(weights.shape[1] - 2, -1, -1):  # BP2 for a chain: delta_j = delta_{j+1} w_{j+1} sigma'(z_j)
        delta = delta * weights[:, layer + 1] * sigmoid_prime(zs[:, layer])
        grads.append(delta)
    return np.array(grads[::-1]).T, zs


def balanced_biases(weights, x=1.0):
    """The book's biases: b_j = -w_j a_{j-1}, which makes every z_j zero (so a_j = 1/2 after the first)."""
    inputs = np.concatenate([np.full((weights.shape[0], 1), x), np.full((weights.shape[0], weights.shape[1] - 1), 0.5)],
                            axis=1)
    return -weights * inputs


def run(seed=0, layers=5):
    """ratios[w]: |dC/db_j| / |dC/db_L| for j = 1..L with z = 0 everywhere; the same for w = 10 with zero
    biases (saturated); and for N(0, 1) weights and biases, the median first/last ratio over many chains."""
    w = np.array(WEIGHTS)[:, None] * np.ones(layers)
    balanced, zs = chain_gradients(w, balanced_biases(w))
    saturated, saturated_z = chain_gradients(np.full((1, layers), SATURATED_WEIGHT), np.zeros((1, layers)))
    rng = np.random.default_rng(seed)
    random_w = rng.standard_normal((RANDOM_CHAINS, layers))
    random_grads, _ = chain_gradients(random_w, rng.standard_normal((RANDOM_CHAINS, layers)))
    random_ratio = np.abs(random_grads[:, 0] / random_grads[:, -1])
    factors = np.abs(random_w[:, 1:]) * 0.25  # the most |w sigma'(z)| can be for each later layer
    return {
        "layers": layers,
        "ratios": {weight: (np.abs(balanced[row]) / np.abs(balanced[row, -1])).tolist()
                   for row, weight in enumerate(WEIGHTS)},
        "max_abs_z": float(np.abs(zs).max()),
        "saturated_ratios": (np.abs(saturated[0]) / np.abs(saturated[0, -1])).tolist(),
        "saturated_z": saturated_z[0].tolist(),
        "random_median_ratio": float(np.median(random_ratio)),
        "random_share_growing": float(np.mean(random_ratio > 1)),
        "random_share_factors_below_quarter": float(np.mean(factors < 0.25)),
    }


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--layers", type=int_range(2, 12), default=5, help="neurons in the chain (default 5)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, layers=args.layers)
    layers = result["layers"]
    print(f"A chain of {layers} sigmoid neurons, input 1, every z_j = 0 (b_j = -w a_(j-1)),")
    print(f"so every sigma'(z_j) = 1/4 (largest |z| here: {result['max_abs_z']:g}).\n")
    print("|dC/db_j| / |dC/db_last|, by neuron j (1 is the first layer):")
    print(f"  {'':<16}" + "".join(f"{f'j = {j}':>11}" for j in range(1, min(layers, 5) + 1))
          + ("  ..." if layers > 5 else ""))
    rows = [(f"w = {w:g}, factor {w / 4:g}", ratios) for w, ratios in result["ratios"].items()]
    rows.append((f"w = {SATURATED_WEIGHT:g}, b = 0", result["saturated_ratios"]))
    for label, ratios in rows:
        shown = ratios[:4] + ratios[-1:] if layers > 5 else ratios
        print(f"  {label:<16}" + "".join(f"{ratio:>11.3g}" for ratio in shown))
    first = result["ratios"][100.0][0]
    print(f"\n  w = 100: the first layer's gradient should be (100/4)^{layers - 1} = {25.0 ** (layers - 1):,.0f} "
          "times")
    print(f"  the last's; backpropagation gives {first:,.0f}.")
    print(f"  w = {SATURATED_WEIGHT:g} with zero biases: z_1 = {result['saturated_z'][0]:g}, z_2 = "
          f"{result['saturated_z'][1]:.2f}, sigma'(z) is about e^-z,")
    print("  each factor is far below 1, and the gradient vanishes instead.")
    print(f"  N(0, 1) weights and biases, {RANDOM_CHAINS:,} chains: the bound |w|/4 on each factor")
    print(f"  is below 1/4 for {result['random_share_factors_below_quarter']:.0%} of them; the median "
          f"first/last ratio is {result['random_median_ratio']:.2g},")
    print(f"  and the first layer's gradient is the larger in {result['random_share_growing']:.2%} of chains.")
    print("  book: with w = 100 and z = 0, each factor w sigma'(z) is 25.")
    what_this_shows(
        "the gradient of an early layer is the last layer's times one factor w sigma'(z) per layer in "
        "between, so it changes exponentially with depth. With weights around 1 each factor is at most 1/4 "
        "and early layers learn thousands of times more slowly (vanishing); with large weights and biases "
        "that keep z near 0 each factor is 25 and early layers get gradients hundreds of thousands of times "
        "larger (exploding). Large weights alone saturate the neurons, and the gradient vanishes instead: "
        "either way the gradient in a deep sigmoid network is unstable."
    )


if __name__ == "__main__":
    main()
