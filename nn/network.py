"""A [n_in, 30, 10] sigmoid network learns to read digits: the book's network.py, in matrix form.

By default it trains on synthetic 28x28 digits (made on the fly, nothing downloaded) with the book's
settings: quadratic cost, N(0, 1) weights, mini-batches of 10, eta = 3.0. With --mnist DIR it trains
on the real MNIST files in DIR instead; --size 8 uses 8x8 synthetic digits, a [64, 30, 10] network.
"""

import sys
import time

from nn import book
from nn.costs import COSTS
from nn.digits import train_test
from nn.feedforward import WEIGHT_INITS, Network
from nn.mnist import load_mnist
from nn.terminal import demo_parser, sparkline, what_this_shows

SYNTHETIC_TRAIN_SIZE = 8000
TEST_SIZE = 2000


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
    accuracies = [network.accuracy(test.images, test.labels)
                  for _ in network.train(training.images, training.labels, epochs, mini_batch_size, eta, seed=seed)]
    return {
        "data": "mnist" if mnist else "synthetic",
        "sizes": network.sizes,
        "train_size": len(training),
        "test_size": len(test),
        "epoch_accuracies": accuracies,
        "test_accuracy": accuracies[-1],
        "seconds": time.perf_counter() - started,
    }


def main(argv=None):
    parser = demo_parser(__doc__.splitlines()[0])
    parser.add_argument("--mnist", metavar="DIR", help="train on the MNIST idx files in DIR (gzipped or plain)")
    parser.add_argument("--size", type=int, choices=(8, 28), default=28, help="synthetic image size in pixels")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-size", type=int, help="training examples (default: 8000 synthetic, all of MNIST)")
    parser.add_argument("--eta", type=float, default=3.0, help="learning rate (default 3.0)")
    parser.add_argument("--cost", choices=sorted(COSTS), default="quadratic")
    parser.add_argument("--init", choices=WEIGHT_INITS, default="large", help="large: N(0,1); scaled: N(0,1/n_in)")
    args = parser.parse_args(argv)
    try:
        result = run(seed=args.seed, epochs=args.epochs, eta=args.eta, cost=args.cost, weight_init=args.init,
                     mnist=args.mnist, train_size=args.train_size, size=args.size)
    except (OSError, ValueError) as error:
        sys.exit(f"error: {error}")
    print(f"Network {result['sizes']} on {result['train_size']} {result['data']} training digits, "
          f"{args.cost} cost, eta {args.eta}, mini-batches of 10, {args.epochs} epochs "
          f"({result['seconds']:.1f} s of training).")
    for epoch, accuracy in enumerate(result["epoch_accuracies"], start=1):
        print(f"  epoch {epoch:>2}: {accuracy:.2%} of {result['test_size']} test digits")
    print(f"  accuracy by epoch: {sparkline(result['epoch_accuracies'])}")
    print(f"\ntest accuracy {result['test_accuracy']:.2%} "
          f"(book: {book.NETWORK_ACCURACY:.2%} on MNIST with [784, 30, 10] after 30 epochs)")
    what_this_shows(
        "a small network of sigmoid neurons, started from random weights and trained by stochastic gradient "
        "descent on mini-batches, learns to recognise digits it has never seen. Each mini-batch goes through "
        "backpropagation as one matrix product per layer, so an epoch takes a fraction of a second."
    )


if __name__ == "__main__":
    main()
