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
from nn.terminal import chart, demo_parser, float_range, int_range, legend, print_lines, what_this_shows

COST_SCALE = 2.0  # the cost chart's fixed top; the first epochs' costs (about 2.6) are drawn at the edge
EPILOG = """options a card may pass:
  --lmbda 0.5         L2 strength lambda (--lambda works too); 0 turns L2 off
  --epochs 60         epochs of SGD, about 0.05 s each (at most 200)
  --train-size 500    training digits, 10 to 10000: more data overfits less
  --eta 0.5           learning rate"""


def train_and_monitor(training, test, epochs, eta, lmbda, seed):
    """Per-epoch accuracies and costs on both sets; costs leave out the L2 term, to compare like with like."""
    network = Network([training.images.shape[1], 30, 10], CrossEntropyCost, "large", seed=seed)
    history = {"train_accuracy": [], "train_cost": [], "test_accuracy": [], "test_cost": []}
    for _ in network.train(training.images, training.labels, epochs, 10, eta, lmbda, seed=seed):
        for name, data in (("train", training), ("test", test)):
            accuracy, cost = network.evaluate(data.images, data.labels)
            history[f"{name}_accuracy"].append(accuracy)
            history[f"{name}_cost"].append(cost)
    history["best_test_cost_epoch"] = int(np.argmin(history["test_cost"])) + 1
    history["best_test_accuracy_epoch"] = int(np.argmax(history["test_accuracy"])) + 1
    history["gap"] = history["train_accuracy"][-1] - history["test_accuracy"][-1]
    return history


def run(seed=0, train_size=500, test_size=1000, epochs=60, eta=0.5, lmbda=0.5):
    """runs["plain"] and runs["l2"]: per-epoch curves, the best epochs, and the final train-test gap."""
    training, test = train_test(train_size, test_size, seed=seed)
    return {
        "train_size": train_size,
        "test_size": test_size,
        "epochs": epochs,
        "eta": eta,
        "lmbda": lmbda,
        "runs": {name: train_and_monitor(training, test, epochs, eta, weight_decay, seed)
                 for name, weight_decay in (("plain", 0.0), ("l2", lmbda))},
    }


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--lmbda", "--lambda", type=float_range(0, 100), default=0.5,
                        help="L2 strength lambda (default 0.5)")
    parser.add_argument("--epochs", type=int_range(1, 200), default=60, help="epochs (default 60)")
    parser.add_argument("--train-size", type=int_range(10, 10000), default=500, help="training digits (default 500)")
    parser.add_argument("--eta", type=float_range(0, 100, include_low=False), default=0.5, help="learning rate (default 0.5)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, lmbda=args.lmbda, epochs=args.epochs, train_size=args.train_size, eta=args.eta)
    plain, l2 = result["runs"]["plain"], result["runs"]["l2"]
    print(f"[784, 30, 10] on only {result['train_size']} training digits, {result['epochs']} epochs, "
          f"cross-entropy, eta {result['eta']:g};")
    print(f"tested on {result['test_size']} other digits after every epoch.")
    for name, history in (("Without regularisation", plain), (f"With L2, lambda = {result['lmbda']:g}", l2)):
        best = history["best_test_accuracy_epoch"]
        print(f"\n{name}, accuracy by epoch:")
        print("  " + legend(("●", "training"), ("○", "test"), ("◉", "both"), ("▲", "best test accuracy")))
        print_lines(chart([("●", history["train_accuracy"]), ("○", history["test_accuracy"])], 0.0, 1.0,
                          y_ticks=(0.0, 0.2, 0.4, 0.6, 0.8, 1.0), mark=best))
        print(f"  training {history['train_accuracy'][-1]:.1%} at the end; test best "
              f"{history['test_accuracy'][best - 1]:.1%} (epoch {best}), {history['test_accuracy'][-1]:.1%} at the end")
    best = plain["best_test_cost_epoch"]
    print(f"\nCost by epoch, without L2: ● training  ○ test  ▲ lowest test cost, epoch {best}")
    print_lines(chart([("●", plain["train_cost"]), ("○", plain["test_cost"])], 0.0, COST_SCALE, height=9,
                      y_ticks=(0.0, COST_SCALE / 2, COST_SCALE), y_format="{:.1f}".format, mark=best))
    turn_up = plain["test_cost"][-1] / min(plain["test_cost"]) - 1
    print(f"  test cost lowest {min(plain['test_cost']):.3f} at epoch {best}, {plain['test_cost'][-1]:.3f} at the "
          f"end ({turn_up:+.1%});")
    print(f"  training cost {plain['train_cost'][best - 1]:.3f} at epoch {best}, {plain['train_cost'][-1]:.3f} "
          "at the end")
    print(f"\ntraining minus test accuracy at the end: {plain['gap']:.1%} without L2, {l2['gap']:.1%} with L2")
    print(f"book, 1,000 MNIST images: test accuracy tops out near {book.OVERFITTING_TEST_ACCURACY:.2%};")
    print(f"with L2 (lambda 0.1) about {book.OVERFITTING_L2_TEST_ACCURACY:.1%}")
    what_this_shows(
        "with few training examples the network keeps improving on the data it trains on long after it has "
        "stopped improving on new data: the test cost turns up while training accuracy still rises, so it "
        "is learning quirks of its training set. Stopping when held-out performance stops improving (early "
        "stopping) limits the damage; L2 regularisation, which shrinks every weight a little at each step, "
        "narrows the gap between training and test accuracy."
    )


if __name__ == "__main__":
    main()
