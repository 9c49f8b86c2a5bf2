"""Three learning rates on one network: too small crawls, about right settles, too large thrashes.

The book's chapter 3 setup for choosing eta: a [784, 30, 10] network (cross-entropy, N(0, 1/n_in)
weights, L2 lambda 5.0, mini-batches of 10) trained on a small training set with eta = 0.025, 0.25 and
2.5, watching the training cost epoch by epoch. Each run starts from the same weights and sees the same
mini-batches, so the learning rate is the only difference.
"""

import numpy as np

from nn.costs import CrossEntropyCost
from nn.digits import train_test
from nn.feedforward import Network
from nn.terminal import chart, demo_parser, float_range, int_range, legend, print_lines, what_this_shows

ETAS = (0.025, 0.25, 2.5)
GLYPHS = ("·", "○", "●")
COST_SCALE = 5.0  # the chart's fixed top; a spike above it is drawn at the edge
EPILOG = """options a card may pass:
  --epochs 30         epochs of SGD for each rate (at most 100)
  --train-size 500    training digits, 100 to 2000
  --lmbda 5           L2 strength lambda (--lambda works too), as in the book"""


def run(seed=0, train_size=500, epochs=30, lmbda=5.0, etas=ETAS):
    """costs[eta]: the training cost (L2 term included) after each epoch; and summary numbers per eta:
    final cost, lowest cost, and rises (how many epochs ended with a higher cost than the one before)."""
    training, _ = train_test(train_size, 0, seed=seed)
    costs = {}
    for eta in etas:
        network = Network([training.images.shape[1], 30, 10], CrossEntropyCost, "scaled", seed=seed)
        costs[eta] = [network.evaluate(training.images, training.labels, lmbda)[1]
                      for _ in network.train(training.images, training.labels, epochs, 10, eta, lmbda, seed=seed)]
    summary = {eta: {"final": curve[-1], "lowest": min(curve),
                     "rises": int(np.sum(np.diff(curve) > 0)),
                     "last_ten_spread": float(np.ptp(curve[-10:]))}
               for eta, curve in costs.items()}
    return {"train_size": train_size, "epochs": epochs, "lmbda": lmbda, "costs": costs, "summary": summary}


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--epochs", type=int_range(2, 100), default=30, help="epochs (default 30)")
    parser.add_argument("--train-size", type=int_range(100, 2000), default=500,
                        help="training digits (default 500)")
    parser.add_argument("--lmbda", "--lambda", type=float_range(0, 100), default=5.0,
                        help="L2 strength lambda (default 5)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, train_size=args.train_size, epochs=args.epochs, lmbda=args.lmbda)
    print(f"[784, 30, 10], cross-entropy, L2 lambda {result['lmbda']:g}, {result['train_size']} training "
          f"digits, {result['epochs']} epochs;")
    print("the same start and the same mini-batches for every learning rate.\n")
    print("Training cost by epoch:  " + legend(*((glyph, f"eta = {eta:g}") for glyph, eta in zip(GLYPHS, ETAS))))
    print_lines(chart([(glyph, result["costs"][eta]) for glyph, eta in zip(GLYPHS, ETAS)], 0.0, COST_SCALE,
                      y_ticks=(0.0, 1.0, 2.0, 3.0, 4.0, 5.0), y_format="{:.0f}".format))
    print(f"\n  {'eta':>6}{'cost after epoch 1':>20}{'lowest':>9}{'final':>8}{'epochs it rose':>16}"
          f"{'spread, last 10':>17}")
    for eta, values in result["summary"].items():
        print(f"  {eta:>6g}{result['costs'][eta][0]:>20.2f}{values['lowest']:>9.2f}{values['final']:>8.2f}"
              f"{values['rises']:>16}{values['last_ten_spread']:>17.2f}")
    print("\n  book (MNIST, 1,000 images): eta = 2.5 oscillates from early on, 0.025 falls")
    print("  slowly, 0.25 falls quickly to the lowest cost.")
    what_this_shows(
        "the learning rate sets the size of each step downhill. Too small (0.025) and the cost falls "
        "smoothly but crawls; too large (2.5) and the steps overshoot the valley, so the cost jumps up and "
        "down and stays high. Choosing eta starts with finding the threshold where the cost stops falling "
        "steadily in the first few epochs, then taking a rate below it."
    )


if __name__ == "__main__":
    main()
