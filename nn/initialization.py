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
from nn.terminal import demo_parser, sparkline, what_this_shows

Z_RANGE = 30


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
    return {"epochs": epochs, "inits": results}


def main(argv=None):
    args = demo_parser(__doc__.splitlines()[0]).parse_args(argv)
    result = run(seed=args.seed)
    names = {"large": "N(0, 1)", "scaled": "N(0, 1/n_in)"}
    print("[784, 30, 10], cross-entropy, eta 0.1, lambda 5.0, on synthetic digits. Hidden-layer weighted inputs z")
    print(f"for 1,000 training images (histogram over z from -{Z_RANGE} to {Z_RANGE}):\n")
    for init, numbers in result["inits"].items():
        print(f"  {names[init]:<13} {sparkline(numbers['z_histogram'])}   spread (std) of z {numbers['z_std']:5.2f}")
    print(f"\nFraction of saturated hidden neurons (sigma'(z) < {SATURATED_SLOPE}) and test accuracy:")
    later_epochs = "".join(f"{'epoch ' + str(epoch):>10}" for epoch in range(2, result["epochs"] + 1))
    print(f"  {'weights':<13}{'at start':>10}{'after':>8}   {'epoch 1':>8}  (book, MNIST){later_epochs}")
    for init, numbers in result["inits"].items():
        accuracies = numbers["epoch_accuracies"]
        book_accuracy = f"({book.FIRST_EPOCH_ACCURACY[init]:.2%})"
        print(f"  {names[init]:<13}{numbers['saturated_fraction']:>10.1%}{numbers['saturated_fraction_after']:>8.1%}"
              f"   {accuracies[0]:>8.2%}  {book_accuracy:<13}"
              + "".join(f"{accuracy:>10.2%}" for accuracy in accuracies[1:]))
    what_this_shows(
        "a neuron's weighted input sums many inputs, so with N(0, 1) weights its spread grows like the square "
        "root of the number of inputs and most hidden neurons start saturated, where sigma'(z) is nearly zero "
        "and they barely learn. Scaling the weights by 1/sqrt(n_in) keeps z small, so training starts faster; "
        "the final accuracy may end up similar, but the early epochs are much better."
    )


if __name__ == "__main__":
    main()
