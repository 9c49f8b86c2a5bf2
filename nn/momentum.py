"""Momentum vs plain gradient descent in a long narrow valley, C = (x² + 25 y²)/2.

The cost is 25 times steeper across the valley (y) than along it (x). Plain gradient descent takes
steps of -eta grad C: any eta above 2/25 makes the y coordinate overshoot further each step and diverge,
and a rate that is safe across the valley crawls along it. Momentum keeps a velocity,
v <- mu v - eta grad C and p <- p + v, so consistent pushes along x build up speed while the pushes
across the valley, which alternate in sign, partly cancel. Both start at (10, 1), C = 62.5.
"""

import numpy as np

from nn.terminal import WIDTH, demo_parser, float_range, legend, print_lines, what_this_shows

CURVATURE = np.array([1.0, 25.0])  # C = (x^2 + 25 y^2) / 2, so grad C = (x, 25 y)
START = (10.0, 1.0)
TARGET = 1e-3  # "arrived": C below this
MAX_STEPS = 5000
TABLE_ETAS = (0.005, 0.01, 0.02, 0.05, 0.075)
ZIGZAG_ETA = 0.075  # just under the 2/25 = 0.08 stability limit of plain descent across the valley
EPILOG = """options a card may pass:
  --eta 0.02          learning rate for both methods (up to 0.079; plain descent
                      diverges above 2/25 = 0.08)
  --momentum 0.9      the momentum coefficient mu (0 is plain gradient descent)"""


def cost(points):
    return 0.5 * np.sum(CURVATURE * np.asarray(points) ** 2, axis=-1)


def descend(eta, mu, steps=MAX_STEPS, start=START):
    """Positions p_0 (the start) .. p_steps of momentum descent; mu = 0 is plain gradient descent."""
    p, v = np.array(start, dtype=float), np.zeros(2)
    path = [p.copy()]
    for _ in range(steps):
        v = mu * v - eta * CURVATURE * p
        p = p + v
        path.append(p.copy())
        if not np.all(np.isfinite(p)) or np.abs(p).max() > 1e6:
            break
    return np.array(path)


def steps_to_target(path):
    """The first step whose cost is below TARGET, or None."""
    below = np.flatnonzero(cost(path) < TARGET)
    return int(below[0]) if len(below) else None


def y_sign_flips(path, steps=20):
    """How many of the first `steps` steps crossed the valley floor (y changed sign): the zig-zag."""
    y = path[:steps + 1, 1]
    return int(np.sum(np.sign(y[1:]) != np.sign(y[:-1])))


def run(eta=0.02, mu=0.9):
    """Steps to C < TARGET for plain descent and momentum at `eta`, over TABLE_ETAS too, and the paths."""
    plain, heavy = descend(eta, 0.0), descend(eta, mu)
    zigzag = descend(ZIGZAG_ETA, 0.0)
    return {
        "eta": eta, "mu": mu,
        "steps": {"plain": steps_to_target(plain), "momentum": steps_to_target(heavy),
                  "plain_at_limit": steps_to_target(zigzag)},
        "x_after_20": {"plain": float(plain[min(20, len(plain) - 1), 0]),
                       "momentum": float(heavy[min(20, len(heavy) - 1), 0])},
        "flips_in_20": {"plain": y_sign_flips(plain), "momentum": y_sign_flips(heavy),
                        "plain_at_limit": y_sign_flips(zigzag)},
        "table": {rate: (steps_to_target(descend(rate, 0.0)), steps_to_target(descend(rate, mu)))
                  for rate in TABLE_ETAS},
        "paths": {"plain": plain[:41], "momentum": heavy[:41], "plain_at_limit": zigzag[:41]},
    }


def plot(paths, x_range=(-4.0, 10.0), y_range=(-1.0, 1.0), width=WIDTH - 14, height=11):
    """The first points of each path on a fixed x-y grid; (glyph, points) pairs drawn in order."""
    grid = [[" "] * width for _ in range(height)]
    centre = round((0 - y_range[0]) / (y_range[1] - y_range[0]) * (height - 1))
    for column in range(width):
        grid[height - 1 - centre][column] = "─"
    for glyph, points in paths:
        for x, y in points:
            if x_range[0] <= x <= x_range[1] and y_range[0] <= y <= y_range[1]:
                column = round((x - x_range[0]) / (x_range[1] - x_range[0]) * (width - 1))
                row = round((y - y_range[0]) / (y_range[1] - y_range[0]) * (height - 1))
                grid[height - 1 - row][column] = glyph
    lines = [f"{label:>5} │{''.join(row)}".rstrip()
             for label, row in zip([f"y={y_range[1]:g}"] + [""] * (height - 2) + [f"{y_range[0]:g}"], grid)]
    axis = [" "] * width
    for value in range(int(x_range[0]), int(x_range[1]) + 1, 2):
        text = f"{value}"
        column = round((value - x_range[0]) / (x_range[1] - x_range[0]) * (width - 1))
        axis[column:column + len(text)] = text
    return lines + ["      └" + "─" * width, "       " + "".join(axis).rstrip() + "  x"]


def _steps_text(steps):
    return f">{MAX_STEPS}" if steps is None else str(steps)


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--eta", type=float_range(0, 0.079, include_low=False), default=0.02,
                        help="learning rate (default 0.02)")
    parser.add_argument("--momentum", type=float_range(0, 0.99), default=0.9, help="mu (default 0.9)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)  # --seed is accepted; nothing here is random
    result = run(eta=args.eta, mu=args.momentum)
    eta, mu, steps = result["eta"], result["mu"], result["steps"]
    print(f"C = (x² + 25 y²)/2 from (10, 1); steps until C < {TARGET:g}.\n")
    print(f"  eta = {eta:g}: plain gradient descent {_steps_text(steps['plain'])} steps, "
          f"momentum (mu = {mu:g}) {_steps_text(steps['momentum'])} steps")
    print(f"  x after 20 steps (10 at the start, 0 at the floor's bottom): plain "
          f"{result['x_after_20']['plain']:.2f},\n  momentum {result['x_after_20']['momentum']:.2f}")
    print(f"\n  {'eta':>7}{'plain':>9}{f'momentum {mu:g}':>16}")
    for rate, (plain, heavy) in result["table"].items():
        print(f"  {rate:>7g}{_steps_text(plain):>9}{_steps_text(heavy):>16}")
    print(f"  plain descent diverges for eta > 2/25 = 0.08; at {ZIGZAG_ETA} it crosses the valley")
    print(f"  floor {result['flips_in_20']['plain_at_limit']} times in its first 20 steps (momentum at eta = {eta:g}: "
          f"{result['flips_in_20']['momentum']}).")
    print("\nThe first 40 steps:  " + legend(("·", f"plain, eta {eta:g}"), ("●", f"momentum, eta {eta:g}"),
                                             ("x", f"plain, eta {ZIGZAG_ETA}")))
    print_lines(plot([("x", result["paths"]["plain_at_limit"]), ("·", result["paths"]["plain"]),
                      ("●", result["paths"]["momentum"])]))
    what_this_shows(
        "in a narrow valley plain gradient descent is held back by the steep direction: its learning rate "
        "must stay below 2/25 or it zig-zags across the valley and diverges, and at a rate that safe it "
        "crawls along the shallow floor. Momentum adds up the steady push along the floor into speed, so at "
        "the same small eta it arrives several times sooner. It is not magic: near the stability limit plain "
        "descent with a well-tuned eta is about as fast, and mu = 0.9 then overshoots instead."
    )


if __name__ == "__main__":
    main()
