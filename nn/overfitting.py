"""Overfitting and L2 regularisation, on a small training set.

A [784, 30, 10] network (cross-entropy, N(0,1) weights, as in the book's runs) trains for many epochs on
only 500 synthetic digits. Training accuracy climbs to 100% while the cost on unseen test digits bottoms
out and turns up: the network starts memorising its training set. The same run with L2 weight decay
keeps the weights small and narrows the gap between training and test accuracy.
"""

import numpy as np

from nn import book
from nn.costs import CrossEntropyCost
from nn.digits import train_test
from nn.feedforward import Network
from nn.terminal import demo_parser, sparkline, what_this_shows


def train_and_monitor(training, test, epochs, eta, lmbda, seed):
    """Per-epoch accuracies and costs on both sets; costs leave out the L2 term, to compare like with like."""
    network = Network([training.images.shape[1], 30, 10], CrossEntropyCost, "large", seed=seed)
    history = {"train_accuracy": [], "train_cost": [], "test_accuracy": [], "test_cost": []}
    for _ in network.train(training.images, training.labels, epochs, 10, eta, lmbda, seed=seed):
        for name, data in (("train", training), ("test", test)):
            history[f"{name}_accuracy"].append(network.accuracy(data.images, data.labels))
            history[f"{name}_cost"].append(network.total_cost(data.images, data.labels))
    history["best_test_cost_epoch"] = int(np.argmin(history["test_cost"])) + 1
    history["best_test_accuracy_epoch"] = int(np.argmax(history["test_accuracy"])) + 1
    history["gap"] = history["train_accuracy"][-1] - history["test_accuracy"][-1]
    return history


def run(seed=0, train_size=500, test_size=1000, epochs=80, eta=0.5, lmbda=0.5):
    """runs["plain"] and runs["l2"]: per-epoch curves, the best epochs, and the final train-test gap."""
    training, test = train_test(train_size, test_size, seed=seed)
    return {
        "train_size": train_size,
        "epochs": epochs,
        "lmbda": lmbda,
        "runs": {name: train_and_monitor(training, test, epochs, eta, weight_decay, seed)
                 for name, weight_decay in (("plain", 0.0), ("l2", lmbda))},
    }


def main(argv=None):
    parser = demo_parser(__doc__.splitlines()[0])
    parser.add_argument("--lmbda", type=float, default=0.5, help="L2 strength lambda (default 0.5)")
    args = parser.parse_args(argv)
    result = run(seed=args.seed, lmbda=args.lmbda)
    plain, l2 = result["runs"]["plain"], result["runs"]["l2"]
    print(f"[784, 30, 10] on only {result['train_size']} training digits, {result['epochs']} epochs, "
          "cross-entropy, eta 0.5.\n")
    late = result["epochs"] // 8  # the costs' first epochs would squash the scale of the rest
    for name, history in (("without regularisation", plain), (f"with L2, lambda = {result['lmbda']}", l2)):
        best = history["best_test_cost_epoch"]
        print(f"{name}:")
        rows = [
            ("training accuracy", sparkline(history["train_accuracy"], 0.5, 1.0),
             f"{history['train_accuracy'][best - 1]:.1%} at epoch {best}, {history['train_accuracy'][-1]:.1%} at the end"),
            ("test accuracy", sparkline(history["test_accuracy"], 0.5, 1.0),
             f"best {max(history['test_accuracy']):.1%} at epoch {history['best_test_accuracy_epoch']}, "
             f"{history['test_accuracy'][-1]:.1%} at the end"),
            (f"training cost (ep {late + 1}+)", " " * late + sparkline(history["train_cost"][late:]),
             f"ends at {history['train_cost'][-1]:.3f}"),
            (f"test cost (ep {late + 1}+)", " " * late + sparkline(history["test_cost"][late:]),
             f"lowest {min(history['test_cost']):.3f} at epoch {best}, {history['test_cost'][-1]:.3f} at the end"),
        ]
        for label, curve, summary in rows:
            print(f"  {label:<23}{curve}  {summary}")
        print()
    print(f"book, 1,000 MNIST images: test accuracy tops out near {book.OVERFITTING_TEST_ACCURACY:.2%}; "
          f"with L2 (lambda 0.1) about {book.OVERFITTING_L2_TEST_ACCURACY:.1%}")
    print(f"training minus test accuracy at the end: {plain['gap']:.1%} without L2, {l2['gap']:.1%} with L2")
    what_this_shows(
        "with few training examples the network keeps improving on the data it trains on long after it has "
        "stopped improving on new data: the test cost turns up while training accuracy still rises, so it "
        "is learning quirks of its training set. Stopping when held-out performance stops improving (early "
        "stopping) limits the damage; L2 regularisation, which shrinks every weight a little at each step, "
        "narrows the gap between training and test accuracy."
    )


if __name__ == "__main__":
    main()
