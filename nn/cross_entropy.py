"""Cross-entropy vs quadratic cost: the book's single-neuron experiment, epoch by epoch.

One sigmoid neuron, input 1, target 0, trained by gradient descent from (w, b) = (0.6, 0.9) (output
0.82) and from (2, 2) (output 0.98), under each cost with the book's learning rates. The quadratic cost
stalls on the saturated start; the cross-entropy learns fastest exactly where the neuron is most wrong.
"""

import numpy as np

from nn import book
from nn.activations import sigmoid
from nn.costs import CrossEntropyCost, QuadraticCost
from nn.terminal import demo_parser, sample, sparkline, what_this_shows

COSTS = {"quadratic": QuadraticCost, "cross-entropy": CrossEntropyCost}
EARLY_EPOCHS = 50


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
        delta = cost.delta(z, y)  # dC/dz; dC/dw = delta * x and dC/db = delta
        w, b = w - eta * delta * x, b - eta * delta
    return np.array(outputs), np.array(costs)


def run(epochs=300, eta_quadratic=book.SINGLE_NEURON_ETA["quadratic"],
        eta_cross_entropy=book.SINGLE_NEURON_ETA["cross-entropy"]):
    """runs[cost][start] = {"output": [...], "cost": [...]}, epochs + 1 values each (index 0 = start)."""
    etas = {"quadratic": eta_quadratic, "cross-entropy": eta_cross_entropy}
    runs = {}
    for cost_name, cost in COSTS.items():
        outputs, costs = train_single_neuron(cost, etas[cost_name], epochs)
        runs[cost_name] = {
            start: {"output": outputs[:, column].tolist(), "cost": costs[:, column].tolist()}
            for column, start in enumerate(book.SINGLE_NEURON_STARTS)
        }
    return {"epochs": epochs, "eta": etas, "runs": runs}


def _first_epoch_below(values, level):
    return next((epoch for epoch, value in enumerate(values) if value < level), None)


def main(argv=None):
    demo_parser(__doc__.splitlines()[0]).parse_args(argv)
    result = run()
    epochs = result["epochs"]
    print(f"One sigmoid neuron, input 1, target 0, {epochs} epochs of gradient descent.")
    for cost_name, starts in result["runs"].items():
        print(f"\n{cost_name} cost, eta = {result['eta'][cost_name]} (book's rate):")
        print(f"  {'start':<11}{'output at epoch 0':>23}{'50':>7}{'150':>7}{epochs:>7}"
              f"   cost drop in first {EARLY_EPOCHS} epochs   output curve")
        for start, curves in starts.items():
            output, cost = curves["output"], curves["cost"]
            w, b, book_output = book.SINGLE_NEURON_STARTS[start]
            print(f"  {f'({w}, {b})':<11}{output[0]:>11.3f} (book {book_output:.2f}){output[50]:>7.3f}"
                  f"{output[150]:>7.3f}{output[epochs]:>7.3f}   {cost[0] - cost[EARLY_EPOCHS]:>12.4f}"
                  f" of {cost[0]:.3f}        {sparkline(sample(output, 40), 0.0, 1.0)}")
    plateau = _first_epoch_below(result["runs"]["quadratic"]["saturated"]["output"], 0.95)
    print(f"\nquadratic, start (2, 2): output stays above 0.95 for {plateau} epochs "
          f"(book: barely moves for about {book.QUADRATIC_PLATEAU_EPOCHS})")
    z = np.array([40.0])
    with np.errstate(divide="ignore"):
        from_output = -np.log(1 - sigmoid(z))[0]
    print(f"at z = 40 the output is exactly {sigmoid(z)[0]} in float64: cost -ln(1 - a) from a = {from_output}, "
          f"from z with logaddexp = {CrossEntropyCost.value(z, np.zeros(1)):.1f}")
    print("(the learning rates differ, as in the book: compare each cost's two starts, not the costs)")
    what_this_shows(
        "under the quadratic cost the badly wrong, saturated neuron learns far slower than the mildly wrong "
        "one, because its gradient carries sigma'(z). Under the cross-entropy the gradient is a - y, so the "
        "worse start loses more cost early on: the neuron learns fastest when it is most wrong."
    )


if __name__ == "__main__":
    main()
