"""A [n_in, 30, 10] sigmoid network learns to read digits: the book's network.py, in matrix form.

By default it trains on synthetic 28x28 digits (made on the fly, nothing downloaded) with the book's
settings: quadratic cost, N(0, 1) weights, mini-batches of 10, eta = 3.0. With --mnist DIR it trains
on the real MNIST files in DIR instead; --size 8 uses 8x8 synthetic digits, a [64, 30, 10] network.
"""

import sys
import textwrap
import time

import numpy as np

from nn import book
from nn.costs import COSTS
from nn.digits import train_test
from nn.feedforward import WEIGHT_INITS, Network
from nn.mnist import load_mnist
from nn.terminal import (WIDTH, chart, demo_parser, float_range, int_range, legend, print_lines,
                         what_this_shows)

SYNTHETIC_TRAIN_SIZE = 6000
TEST_SIZE = 2000
EPILOG = """options a card may pass:
  --eta 3.0               learning rate (try 100 or 0.001 to see it fail)
  --epochs 10             epochs of SGD, about 0.3 s each (at most 100)
  --hidden 30             hidden neurons (at most 300)
  --mini-batch-size 10    examples per SGD step
  --cost quadratic        quadratic, cross-entropy or log-likelihood
  --init large            large: N(0, 1) weights; scaled: N(0, 1/n_in)
  --train-size 6000       training digits (10 to 60000)
  --size 28               28 or 8: 8x8 digits make a [64, 30, 10] network

not for cards: --mnist DIR trains on the MNIST files in DIR (never downloaded)"""


def load_data(mnist=None, train_size=None, size=28, seed=0):
    """(training, test) digits: MNIST from a directory when given, else synthetic ones of size x size pixels."""
    if mnist:
        training, test = load_mnist(mnist)
        return (training if train_size is None else training[:train_size]), test
    return train_test(train_size or SYNTHETIC_TRAIN_SIZE, TEST_SIZE, size=size, seed=seed)


def run(seed=0, epochs=10, hidden=30, eta=3.0, mini_batch_size=10, cost="quadratic", weight_init="large",
        mnist=None, train_size=None, size=28):
    """Train and report test accuracy after every epoch; `test_accuracy` is the last one."""
    training, test = load_data(mnist, train_size, size, seed)
    network = Network([training.images.shape[1], hidden, 10], COSTS[cost], weight_init, seed=seed)
    started = time.perf_counter()
    accuracies, training_accuracies = [], []
    for _ in network.train(training.images, training.labels, epochs, mini_batch_size, eta, seed=seed):
        accuracies.append(network.accuracy(test.images, test.labels))
        training_accuracies.append(network.accuracy(training.images, training.labels))
    return {
        "data": "mnist" if mnist else "synthetic",
        "sizes": network.sizes,
        "layer_shapes": [(weights.shape, biases.shape) for weights, biases in zip(network.weights, network.biases)],
        "parameters": sum(weights.size + biases.size for weights, biases in zip(network.weights, network.biases)),
        "train_size": len(training),
        "test_size": len(test),
        "epoch_accuracies": accuracies,
        "training_accuracies": training_accuracies,
        "test_accuracy": accuracies[-1],
        "best_epoch": int(np.argmax(accuracies)) + 1,
        "seconds": time.perf_counter() - started,
    }


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--mnist", metavar="DIR", help="train on the MNIST idx files in DIR (gzipped or plain)")
    parser.add_argument("--size", type=int, choices=(8, 28), default=28, help="synthetic image size in pixels")
    parser.add_argument("--epochs", type=int_range(1, 100), default=10, help="epochs (default 10)")
    parser.add_argument("--train-size", type=int_range(10, 60000),
                        help="training examples (default: 6000 synthetic, all of MNIST)")
    parser.add_argument("--hidden", type=int_range(1, 300), default=30, help="hidden neurons (default 30)")
    parser.add_argument("--eta", type=float_range(0, 1000, include_low=False), default=3.0, help="learning rate (default 3.0)")
    parser.add_argument("--mini-batch-size", type=int_range(1, 1000), default=10, help="mini-batch size (default 10)")
    parser.add_argument("--cost", choices=sorted(COSTS), default="quadratic")
    parser.add_argument("--init", choices=WEIGHT_INITS, default="large", help="large: N(0,1); scaled: N(0,1/n_in)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    try:
        result = run(seed=args.seed, epochs=args.epochs, hidden=args.hidden, eta=args.eta,
                     mini_batch_size=args.mini_batch_size, cost=args.cost, weight_init=args.init,
                     mnist=args.mnist, train_size=args.train_size, size=args.size)
    except (OSError, ValueError) as error:
        sys.exit(f"error: {error}")
    accuracies, best = result["epoch_accuracies"], result["best_epoch"]
    print(f"Network {result['sizes']}, {args.cost} cost, eta {args.eta:g}, mini-batches of "
          f"{args.mini_batch_size}:")
    shapes = ", ".join(f"W {w[0]}x{w[1]} + b {b[0]}" for w, b in result["layer_shapes"])
    print(f"Layers, fully connected: {shapes} = {result['parameters']:,} parameters")
    print(f"{args.epochs} epoch{'s' if args.epochs > 1 else ''} on {result['train_size']} {result['data']} training digits "
          f"({result['seconds']:.1f} s), tested on {result['test_size']} others.\n")
    print("Accuracy by epoch: " + legend(("●", "training"), ("○", "test"), ("◉", "both"),
                                           ("▲", f"best test, epoch {best}")))
    print_lines(chart([("●", result["training_accuracies"]), ("○", accuracies)], 0.0, 1.0,
                      y_ticks=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), mark=best))
    print()
    shown = sorted({1, best, len(accuracies), *np.linspace(1, len(accuracies), 10).round().astype(int).tolist()})
    print(textwrap.fill("test accuracy (epoch:accuracy): " + ", ".join(f"{epoch}:{accuracies[epoch - 1]:.1%}"
                                                               for epoch in shown), WIDTH, subsequent_indent="  "))
    print(f"\ntest accuracy {result['test_accuracy']:.2%} after epoch {args.epochs}, best "
          f"{accuracies[best - 1]:.2%} at epoch {best}")
    print(f"(book: {book.NETWORK_ACCURACY:.2%} on MNIST with [784, 30, 10] after 30 epochs)")
    what_this_shows(
        "a small network of sigmoid neurons, started from random weights and trained by stochastic gradient "
        "descent on mini-batches, learns to recognise digits it has never seen. Each mini-batch goes through "
        "backpropagation as one matrix product per layer, so an epoch takes a fraction of a second."
    )


if __name__ == "__main__":
    main()
