"""L1 vs L2 regularisation: what each does to the weights, shown as weight histograms.

A softmax classifier (784 inputs, 10 outputs, log-likelihood cost; one weight layer, so every weight is
visible) trained by full-batch gradient descent on synthetic digits three ways: unregularised, with L1,
and with L2, each strength chosen so that test accuracy stays where it was without regularisation. L2
shrinks each weight by the factor 1 - eta lambda/n: in proportion to its size, so none reaches zero. L1
moves each weight towards zero by the constant eta lambda/n (the book's sgn(w) term); here a weight that
this step would carry past zero stops at zero (the soft-threshold form of the same update), so L1 gives
exact zeros instead of weights jittering around zero.
"""

import numpy as np

from nn.activations import softmax
from nn.digits import train_test
from nn.feedforward import one_hot
from nn.terminal import demo_parser, float_range, int_range, what_this_shows

NEAR_ZERO = 0.01
BIN_EDGES = np.linspace(-0.325, 0.325, 14)  # fixed bins 0.05 wide, one centred on 0; beyond: the end bins
BAR_WIDTH = 40  # columns for 100% of the weights
EPILOG = """options a card may pass:
  --lambda-abs 0.5    L1 strength: lambda of the sum of |w| (0 to 20)
  --lambda-sq 2       L2 strength: lambda of the sum of w² (0 to 200)
  --steps 150         full-batch gradient steps (10 to 500)"""


def train(images, labels, penalty, lmbda, steps, eta=1.0, seed=0):
    """Weights (784, 10) and biases after `steps` full-batch steps; penalty is None, "l1" or "l2"."""
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((images.shape[1], 10)) / np.sqrt(images.shape[1])
    biases = np.zeros(10)
    targets, n = one_hot(labels), len(labels)
    for _ in range(steps):
        delta = (softmax(images @ weights + biases) - targets) / n
        weights -= eta * (images.T @ delta)
        biases -= eta * delta.sum(axis=0)
        if penalty == "l2":
            weights *= 1.0 - eta * lmbda / n
        elif penalty == "l1":
            weights = np.sign(weights) * np.maximum(np.abs(weights) - eta * lmbda / n, 0.0)
    return weights, biases


def run(seed=0, l1=0.5, l2=2.0, steps=150, train_size=500, test_size=500):
    """Per run ("none", "l1", "l2"): accuracies, share of weights exactly 0 and below NEAR_ZERO in size,
    mean and largest |w|, and the histogram counts over BIN_EDGES."""
    training, test = train_test(train_size, test_size, seed=seed)
    runs = {}
    for name, lmbda in (("none", 0.0), ("l1", l1), ("l2", l2)):
        weights, biases = train(training.images, training.labels, name, lmbda, steps, seed=seed)
        size = np.abs(weights)
        runs[name] = {
            "lambda": lmbda,
            "train_accuracy": float(np.mean(np.argmax(training.images @ weights + biases, 1) == training.labels)),
            "test_accuracy": float(np.mean(np.argmax(test.images @ weights + biases, 1) == test.labels)),
            "zero": float(np.mean(size == 0)),
            "near_zero": float(np.mean(size < NEAR_ZERO)),
            "mean": float(size.mean()),
            "largest": float(size.max()),
            "histogram": np.histogram(np.clip(weights, BIN_EDGES[0], BIN_EDGES[-1]), BIN_EDGES)[0].tolist(),
        }
    return {"train_size": train_size, "steps": steps, "weights": 784 * 10, "runs": runs}


def histogram_lines(counts, total):
    lines = []
    for low, high, count in zip(BIN_EDGES[:-1], BIN_EDGES[1:], counts):
        label = f"{(low + high) / 2:+.2f}" if abs(low + high) > 1e-9 else " 0.00"
        share = count / total
        bar = "█" * round(BAR_WIDTH * share) if share >= 1 / (2 * BAR_WIDTH) else ("▏" if count else "")
        lines.append(f"  {label:<7}{share:>6.1%} {bar}")
    return lines


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--lambda-abs", dest="l1", type=float_range(0, 20), default=0.5, help="L1 lambda (default 0.5)")
    parser.add_argument("--lambda-sq", dest="l2", type=float_range(0, 200), default=2.0, help="L2 lambda (default 2)")
    parser.add_argument("--steps", type=int_range(10, 500), default=150, help="gradient steps (default 150)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, l1=args.l1, l2=args.l2, steps=args.steps)
    runs, total = result["runs"], result["weights"]
    print(f"Softmax classifier, 784 x 10 = {total:,} weights, {result['train_size']} training digits,")
    print(f"{result['steps']} full-batch gradient steps.\n")
    print(f"  {'':<18}{'test acc.':>10}{'w = 0':>8}{f'|w| < {NEAR_ZERO:g}':>11}{'mean |w|':>10}{'largest':>9}")
    for name, label in (("none", "no regularisation"), ("l1", f"L1, lambda {args.l1:g}"),
                        ("l2", f"L2, lambda {args.l2:g}")):
        values = runs[name]
        print(f"  {label:<18}{values['test_accuracy']:>10.1%}{values['zero']:>8.1%}{values['near_zero']:>11.1%}"
              f"{values['mean']:>10.3f}{values['largest']:>9.3f}")
    for name, title in (("l1", "L1"), ("l2", "L2")):
        print(f"\nWeights with {title}: share within 0.025 of each value (end rows: all beyond)")
        for line in histogram_lines(runs[name]["histogram"], total):
            print(line)
        if name == "l1":
            print(f"  (of the {runs['l1']['histogram'][6] / total:.1%} around 0, {runs['l1']['zero']:.1%} are exactly 0)")
    l1, l2 = runs["l1"], runs["l2"]
    print(f"\n  L1 sets {l1['zero']:.0%} of the weights to exactly 0 and keeps the largest at {l1['largest']:.2f};")
    print(f"  L2 sets none to 0 and pulls the largest down to {l2['largest']:.2f}.")
    what_this_shows(
        "L2 shrinks every weight in proportion to its size, so the whole histogram narrows but almost "
        "nothing lands on zero and the big weights are cut hardest; L1 subtracts the same amount from "
        "every weight whatever its size, so small weights hit zero and stay there while a few important "
        "ones stay large. At similar test accuracy, L1 leaves a network that uses far fewer connections."
    )


if __name__ == "__main__":
    main()
