"""Weight initialisation: N(0, 1) weights saturate hidden neurons; N(0, 1/n_in) weights do not.

With 784 inputs, a hidden neuron's weighted input z = w.x + b sums about a hundred inked pixels, each
times an N(0, 1) weight, so z spreads over tens of units and most sigmoids sit on their flat tails.
Dividing the weights by sqrt(n_in) keeps z near unit spread, so the neurons start out able to learn.
"""

import numpy as np

from nn import book
from nn.activations import SATURATED_SLOPE, sigmoid_prime
from nn.costs import CrossEntropyCost
from nn.digits import train_test
from nn.feedforward import WEIGHT_INITS, Network
from nn.terminal import demo_parser, float_range, int_range, sparkline, what_this_shows

Z_RANGE = 30
EPILOG = """options a card may pass:
  --epochs 3            epochs of SGD, at most 30 (the table shows up to 4)
  --eta 0.1             learning rate
  --lmbda 5.0           L2 strength lambda (--lambda works too)
  --train-size 8000     training digits (100 to 60000)"""


def _shown_epochs(epochs, most=3):
    """The epochs after the first to show as columns: at most `most`, evenly spread, the last included."""
    later = list(range(2, epochs + 1))
    if len(later) <= most:
        return later
    return sorted({later[round(i * (len(later) - 1) / (most - 1))] for i in range(most)})


def hidden_weighted_inputs(network, x):
    return x @ network.weights[0].T + network.biases[0]


def run(seed=0, train_size=8000, test_size=2000, epochs=3, eta=0.1, lmbda=5.0):
    """Per initialiser: the hidden z's spread and saturated fraction, before and after training, and accuracy per epoch."""
    training, test = train_test(train_size, test_size, seed=seed)
    probe = training.images[:1000]
    results = {}
    for init in WEIGHT_INITS:
        network = Network([training.images.shape[1], 30, 10], CrossEntropyCost, init, seed=seed)
        z = hidden_weighted_inputs(network, probe)
        histogram, _ = np.histogram(np.clip(z, -Z_RANGE, Z_RANGE), bins=40, range=(-Z_RANGE, Z_RANGE))
        accuracies = [network.accuracy(test.images, test.labels)
                      for _ in network.train(training.images, training.labels, epochs, 10, eta, lmbda, seed=seed)]
        results[init] = {
            "z_std": float(z.std()),
            "z_histogram": histogram.tolist(),
            "saturated_fraction": float(np.mean(sigmoid_prime(z) < SATURATED_SLOPE)),
            "saturated_fraction_after": float(np.mean(sigmoid_prime(hidden_weighted_inputs(network, probe))
                                                      < SATURATED_SLOPE)),
            "epoch_accuracies": accuracies,
        }
    return {"epochs": epochs, "probe_size": len(probe), "inits": results}


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--epochs", type=int_range(1, 30), default=3, help="epochs (default 3)")
    parser.add_argument("--eta", type=float_range(0, 100, include_low=False), default=0.1, help="learning rate (default 0.1)")
    parser.add_argument("--lmbda", "--lambda", type=float_range(0, 100), default=5.0,
                        help="L2 strength lambda (default 5.0)")
    parser.add_argument("--train-size", type=int_range(100, 60000), default=8000, help="training digits (default 8000)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, epochs=args.epochs, eta=args.eta, lmbda=args.lmbda, train_size=args.train_size)
    names = {"large": "N(0, 1)", "scaled": "N(0, 1/n_in)"}
    print(f"[784, 30, 10], cross-entropy, eta {args.eta:g}, lambda {args.lmbda:g}, on "
          f"{args.train_size} synthetic digits.")
    print(f"Hidden-layer weighted inputs z for {result['probe_size']:,} training images: a histogram over z")
    print(f"from -{Z_RANGE} to {Z_RANGE}, each row scaled to its own peak.\n")
    for init, numbers in result["inits"].items():
        print(f"  {names[init]:<13} {sparkline(numbers['z_histogram'])}   std of z {numbers['z_std']:5.2f}")
    bins = len(result["inits"]["large"]["z_histogram"])
    axis = f"-{Z_RANGE}".ljust(bins // 2) + "0".ljust(bins - bins // 2 - len(str(Z_RANGE))) + str(Z_RANGE)
    print(f"  {'z:':>13} {axis}")
    print(f"\nSaturated hidden neurons (sigma'(z) < {SATURATED_SLOPE}) at the start and after training,")
    print("and test accuracy after epochs (the book's after epoch 1, on MNIST):\n")
    shown = _shown_epochs(result["epochs"])
    print(f"  {'weights':<13}{'start':>7}{'after':>7}{'epoch 1':>9}{'(book)':>9}"
          + "".join(f"{'epoch ' + str(epoch):>10}" for epoch in shown))
    for init, numbers in result["inits"].items():
        accuracies = numbers["epoch_accuracies"]
        book_accuracy = f"({book.FIRST_EPOCH_ACCURACY[init]:.1%})"
        print(f"  {names[init]:<13}{numbers['saturated_fraction']:>7.1%}{numbers['saturated_fraction_after']:>7.1%}"
              f"{accuracies[0]:>9.1%}{book_accuracy:>9}"
              + "".join(f"{accuracies[epoch - 1]:>10.1%}" for epoch in shown))
    what_this_shows(
        "a neuron's weighted input sums many inputs, so with N(0, 1) weights its spread grows like the square "
        "root of the number of inputs and most hidden neurons start saturated, where sigma'(z) is nearly zero "
        "and they barely learn. Scaling the weights by 1/sqrt(n_in) keeps z small, so training starts faster; "
        "the final accuracy may end up similar, but the early epochs are much better."
    )


if __name__ == "__main__":
    main()
