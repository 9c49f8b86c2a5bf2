"""Cross-entropy vs quadratic cost: the book's single neuron, both costs at the same learning rate.

One sigmoid neuron, input 1, target 0, trained by gradient descent with the true gradient of each cost
from (w, b) = (0.6, 0.9) (output 0.82) and from (2, 2) (output 0.98), eta = 0.15 for both. The quadratic
cost's gradient (a - y) sigma'(z) nearly vanishes on the saturated start, so that neuron barely moves for
over a hundred epochs; the cross-entropy's gradient is a - y, largest exactly when the neuron is most wrong.
"""

import numpy as np

from nn import book
from nn.activations import sigmoid
from nn.costs import CrossEntropyCost, QuadraticCost
from nn.terminal import chart, demo_parser, float_range, int_range, legend, print_lines, what_this_shows

COSTS = {"quadratic": QuadraticCost, "cross-entropy": CrossEntropyCost}
GLYPHS = {"quadratic": "●", "cross-entropy": "○"}
LEVELS = (0.5, 0.1)  # the table gives the first epoch the output falls below each
PLATEAU_LEVEL = 0.95  # "barely moves": the output is still above this
SNAPSHOT_EPOCHS = (50, 300)
EPILOG = """options a card may pass:
  --eta 0.15      learning rate for both costs
  --epochs 500    epochs of gradient descent (300 to 20000; fewer count as 300)"""


def train_single_neuron(cost, eta, epochs):
    """Gradient descent on the one example from every book start at once; outputs and costs per epoch.

    Row 0 is the start, row e is after epoch e; one column per start.
    """
    w, b, _ = map(np.array, zip(*book.SINGLE_NEURON_STARTS.values()))
    x, y = book.SINGLE_NEURON_INPUT, np.full_like(w, book.SINGLE_NEURON_TARGET)
    outputs, costs = [], []
    for _ in range(epochs + 1):
        z = w * x + b
        outputs.append(sigmoid(z))
        costs.append(cost.value(z[:, None], y[:, None]))
        delta = cost.delta(z, y)  # dC/dz, the true gradient; dC/dw = delta * x and dC/db = delta
        w, b = w - eta * delta * x, b - eta * delta
    return np.array(outputs), np.array(costs)


def first_epoch_below(values, level):
    """The first epoch whose output is below `level`, or None if it never gets there."""
    return next((epoch for epoch, value in enumerate(values) if value < level), None)


def run(epochs=500, eta=book.SINGLE_NEURON_ETA):
    """runs[cost][start]: per-epoch "output" and "cost" (epochs + 1 values, index 0 = start) and
    "below"[level], the first epoch the output is under each of LEVELS (None: not within `epochs`)."""
    runs = {}
    for cost_name, cost in COSTS.items():
        outputs, costs = train_single_neuron(cost, eta, epochs)
        runs[cost_name] = {}
        for column, start in enumerate(book.SINGLE_NEURON_STARTS):
            output = outputs[:, column].tolist()
            runs[cost_name][start] = {"output": output, "cost": costs[:, column].tolist(),
                                      "below": {level: first_epoch_below(output, level) for level in LEVELS}}
    slow, _ = train_single_neuron(CrossEntropyCost, book.BOOK_ANIMATION_CROSS_ENTROPY_ETA, 300)
    return {
        "epochs": epochs,
        "eta": eta,
        "runs": runs,
        "plateau_epochs": first_epoch_below(runs["quadratic"]["saturated"]["output"], PLATEAU_LEVEL),
        "book_eta_output_at_300": float(slow[300, 1]),  # cross-entropy from (2, 2), true gradient, eta 0.005
    }


def _epoch_text(epoch, epochs):
    return f">{epochs}" if epoch is None else str(epoch)


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--eta", type=float_range(0, 100, include_low=False), default=book.SINGLE_NEURON_ETA,
                        help=f"learning rate for both costs (default {book.SINGLE_NEURON_ETA})")
    parser.add_argument("--epochs", type=int_range(1, 20000), default=500, help="epochs (default 500)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(epochs=max(args.epochs, max(SNAPSHOT_EPOCHS)), eta=args.eta)
    epochs, runs = result["epochs"], result["runs"]
    print("One sigmoid neuron, input 1, target 0. Gradient descent with the true gradient")
    print(f"of each cost and the same learning rate for both, eta = {result['eta']:g}, {epochs} epochs.\n")
    print(f"  {'':<25}{'a at':>6}{'first epoch a is':>20}{'a after epoch':>16}")
    print(f"  {'cost':<14}{'start':<11}{'start':>6}" + "".join(f"{f'< {level}':>10}" for level in LEVELS)
          + "".join(f"{epoch:>8}" for epoch in SNAPSHOT_EPOCHS))
    for cost_name, starts in runs.items():
        for start, curves in starts.items():
            w, b, _ = book.SINGLE_NEURON_STARTS[start]
            output = curves["output"]
            print(f"  {cost_name:<14}{f'({w:g}, {b:g})':<11}{output[0]:>6.2f}"
                  + "".join(f"{_epoch_text(curves['below'][level], epochs):>10}" for level in LEVELS)
                  + "".join(f"{output[epoch]:>8.3f}" for epoch in SNAPSHOT_EPOCHS))
    starting = " and ".join(f"{book_output:.2f}" for *_, book_output in book.SINGLE_NEURON_STARTS.values())
    print(f"\n  book: starting outputs {starting}; from (2, 2) the quadratic cost barely")
    print(f"  moves for about {book.QUADRATIC_PLATEAU_EPOCHS} epochs. Here a stays above {PLATEAU_LEVEL} "
          f"until epoch {result['plateau_epochs']}.")
    saturated = {name: starts["saturated"]["output"][50] for name, starts in runs.items()}
    print(f"  from (2, 2) at epoch 50: cross-entropy a = {saturated['cross-entropy']:.3f}, "
          f"quadratic a = {saturated['quadratic']:.3f}")
    for start, title in (("saturated", "from (2, 2)"), ("mild", "from (0.6, 0.9)")):
        print(f"\nOutput a by epoch, {title}:   "
              + legend(*((GLYPHS[name], name) for name in COSTS), ("▲", "epoch 50")))
        print_lines(chart([(GLYPHS[name], runs[name][start]["output"]) for name in COSTS], 0.0, 1.0,
                          np.arange(epochs + 1), height=9, mark=50,
                          y_ticks=(0.0, 0.25, 0.5, 0.75, 1.0), y_format="{:.2f}".format))
    z = np.array([40.0])
    with np.errstate(divide="ignore"):
        from_output = -np.log(1 - sigmoid(z))[0]
    print(f"\nat z = 40, a = {sigmoid(z)[0]} exactly in float64: -ln(1 - a) from a is {from_output},")
    print(f"from z with logaddexp it is {CrossEntropyCost.value(z, np.zeros(1)):.1f}")
    print(f"\nThe book's cross-entropy animation used eta = {book.BOOK_ANIMATION_CROSS_ENTROPY_ETA} "
          "with another update rule;")
    print(f"with the true gradient that rate leaves a at {result['book_eta_output_at_300']:.3f} after "
          "300 epochs from (2, 2).")
    what_this_shows(
        "at the same learning rate the cross-entropy neuron started badly wrong is nearly right within 50 "
        "epochs, while under the quadratic cost the same neuron has barely moved: the quadratic cost's "
        "gradient carries sigma'(z), tiny on the saturated start, while the cross-entropy's is a - y, so it "
        "learns fastest exactly when it is most wrong."
    )


if __name__ == "__main__":
    main()
