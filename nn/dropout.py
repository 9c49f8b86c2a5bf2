"""Dropout: training a network while randomly deleting half its hidden neurons, on a small training set.

A [784, H, 10] network (sigmoid hidden layer, cross-entropy, N(0, 1) weights as in the overfitting demo)
trains on only 500 synthetic digits, once plainly and once with dropout on the hidden layer: for every
example of every mini-batch each hidden neuron is kept with probability 1 - p and otherwise set to 0.
This is inverted dropout: a kept neuron's activation is divided by 1 - p while training, so at test time
the full network runs unchanged. That is the same network as the book's, which trains without the
division and halves the outgoing weights at test time (for p = 1/2); only where the factor goes differs.
"""

import numpy as np

from nn.activations import sigmoid
from nn.costs import CrossEntropyCost
from nn.digits import train_test
from nn.feedforward import Gradients, Network
from nn.terminal import chart, demo_parser, float_range, int_range, legend, print_lines, what_this_shows

EPILOG = """options a card may pass:
  --p 0.5             the probability a hidden neuron is dropped (0 to 0.9)
  --hidden 30         hidden neurons, 10 to 100
  --epochs 40         epochs for each network (at most 150)
  --train-size 500    training digits, 100 to 2000"""


class DropoutNetwork(Network):
    """A Network with one hidden layer whose backprop drops each hidden neuron with probability p."""

    def __init__(self, sizes, p, seed=0):
        super().__init__(sizes, CrossEntropyCost, "large", seed=seed)
        self.p = p
        self.rng = np.random.default_rng(seed + 1)

    def backprop(self, x, y):
        (w1, w2), (b1, b2) = self.weights, self.biases
        hidden = sigmoid(x @ w1.T + b1)
        mask = (self.rng.random(hidden.shape) >= self.p) / (1.0 - self.p)  # 0 or 1/(1-p): inverted dropout
        kept = hidden * mask
        delta2 = self.cost.delta(kept @ w2.T + b2, y) / len(x)
        delta1 = (delta2 @ w2) * hidden * (1.0 - hidden) * mask  # a dropped neuron passes nothing back
        return Gradients([delta1.T @ x, delta2.T @ kept], [delta1.sum(axis=0), delta2.sum(axis=0)])


def train_and_monitor(training, test, hidden, p, epochs, eta, seed):
    """Per-epoch training and test accuracy of the full network (no neurons dropped when measuring)."""
    network = DropoutNetwork([training.images.shape[1], hidden, 10], p, seed=seed)
    history = {"train_accuracy": [], "test_accuracy": []}
    for _ in network.train(training.images, training.labels, epochs, 10, eta, seed=seed):
        history["train_accuracy"].append(network.accuracy(training.images, training.labels))
        history["test_accuracy"].append(network.accuracy(test.images, test.labels))
    history["gap"] = history["train_accuracy"][-1] - history["test_accuracy"][-1]
    history["best_test"] = max(history["test_accuracy"])
    return history


def run(seed=0, p=0.5, hidden=30, epochs=40, train_size=500, test_size=1000, eta=0.5):
    training, test = train_test(train_size, test_size, seed=seed)
    return {"p": p, "hidden": hidden, "epochs": epochs, "train_size": train_size, "test_size": test_size,
            "runs": {name: train_and_monitor(training, test, hidden, rate, epochs, eta, seed)
                     for name, rate in (("plain", 0.0), ("dropout", p))}}


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--p", type=float_range(0, 0.9), default=0.5, help="drop probability (default 0.5)")
    parser.add_argument("--hidden", type=int_range(10, 100), default=30, help="hidden neurons (default 30)")
    parser.add_argument("--epochs", type=int_range(1, 150), default=40, help="epochs (default 40)")
    parser.add_argument("--train-size", type=int_range(100, 2000), default=500, help="training digits (default 500)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, p=args.p, hidden=args.hidden, epochs=args.epochs, train_size=args.train_size)
    runs = result["runs"]
    print(f"[784, {result['hidden']}, 10] on {result['train_size']} training digits, {result['epochs']} epochs, "
          f"eta 0.5; tested on {result['test_size']} others.")
    print(f"Dropout: each hidden neuron dropped with p = {result['p']:g} per example (inverted dropout).")
    for name, title in (("plain", "Without dropout"), ("dropout", f"With dropout, p = {result['p']:g}")):
        print(f"\n{title}, accuracy by epoch:  " + legend(("●", "training"), ("○", "test"), ("◉", "both")))
        print_lines(chart([("●", runs[name]["train_accuracy"]), ("○", runs[name]["test_accuracy"])], 0.5, 1.0,
                          height=9, y_ticks=(0.5, 0.6, 0.7, 0.8, 0.9, 1.0)))
    print(f"\n  {'':<18}{'training':>10}{'test':>8}{'gap':>8}{'best test':>11}")
    for name, label in (("plain", "without dropout"), ("dropout", f"dropout p = {result['p']:g}")):
        history = runs[name]
        print(f"  {label:<18}{history['train_accuracy'][-1]:>10.1%}{history['test_accuracy'][-1]:>8.1%}"
              f"{history['gap']:>8.1%}{history['best_test']:>11.1%}")
    print("  book: quotes Hinton et al. (2012), whose MNIST network went from 98.4% to")
    print("  98.7% test accuracy with dropout.")
    what_this_shows(
        "dropping random hidden neurons while training means no neuron can rely on particular others being "
        "there, so the network cannot build the fragile co-adapted features that memorise a small training "
        "set; it is like training many thinned networks and averaging them. Training accuracy stops short "
        "of 100% and the gap to test accuracy narrows."
    )


if __name__ == "__main__":
    main()
