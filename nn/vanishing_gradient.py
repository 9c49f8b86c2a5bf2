"""The vanishing gradient: in a deep sigmoid network the early layers learn far slower than the late ones.

For [784, 30, 30, 30, 30, 10] on 1,000 synthetic digits, the length of dC/db for each hidden layer (how
fast its biases are learning) is measured at the start and after every epoch of training. Each step back
through backprop multiplies by a weight and a sigma'(z) <= 1/4, so the gradient shrinks layer by layer.
"""

import numpy as np

from nn import book
from nn.costs import CrossEntropyCost
from nn.digits import synthetic_digits
from nn.feedforward import Network, one_hot
from nn.terminal import bar, chart, demo_parser, float_range, int_range, print_lines, what_this_shows

NORM_SCALE = (1e-5, 1.0)  # the chart's fixed log scale
EPILOG = """options a card may pass:
  --epochs 30          epochs of SGD (at most 100)
  --eta 0.1            learning rate
  --train-size 1000    training digits, 10 to 10000 (the gradient is over all)"""


def hidden_gradient_norms(network, x, y):
    """||dC/db|| for each hidden layer, over the whole of x at once."""
    return [float(np.linalg.norm(gradient)) for gradient in network.backprop(x, y).biases[:-1]]


def run(seed=0, sizes=(784, 30, 30, 30, 30, 10), train_size=1000, epochs=30, eta=0.1):
    """Per hidden layer: gradient norm at the start and after each epoch (row 0 = start)."""
    data = synthetic_digits(train_size, seed=seed)
    y = one_hot(data.labels)
    network = Network(list(sizes), CrossEntropyCost, "scaled", seed=seed)
    history = [hidden_gradient_norms(network, data.images, y)]
    for _ in network.train(data.images, data.labels, epochs, 10, eta, seed=seed):
        history.append(hidden_gradient_norms(network, data.images, y))
    history = np.array(history)
    return {
        "sizes": list(sizes),
        "train_size": train_size,
        "initial_norms": history[0].tolist(),
        "norms_by_epoch": history.tolist(),
        "first_to_last_ratio": float(np.mean(history[:, 0] / history[:, -1])),
    }


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--epochs", type=int_range(1, 100), default=30, help="epochs (default 30)")
    parser.add_argument("--eta", type=float_range(0, 100, include_low=False), default=0.1, help="learning rate (default 0.1)")
    parser.add_argument("--train-size", type=int_range(10, 10000), default=1000, help="training digits (default 1000)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, epochs=args.epochs, eta=args.eta, train_size=args.train_size)
    initial = result["initial_norms"]
    print(f"Network {result['sizes']}, N(0, 1/n_in) weights,")
    print(f"cross-entropy; the gradient over {result['train_size']:,} digits, before training:\n")
    print(f"  {'hidden layer':<13}{'||dC/db||':>10}{'book':>8}")
    for layer, (norm, book_norm) in enumerate(zip(initial, book.VANISHING_GRADIENT_NORMS), start=1):
        print(f"  {layer:<13}{norm:>10.4f}{book_norm:>8.3f}  {bar(norm, max(initial), 40)}")
    history = np.array(result["norms_by_epoch"])
    epochs = len(history) - 1
    print(f"\n||dC/db|| of each hidden layer during {epochs} epochs of training (eta {args.eta:g}),")
    print("on a fixed log scale; the glyph is the layer's number, ◉ where two meet:")
    print_lines(chart([(str(layer + 1), history[:, layer]) for layer in range(history.shape[1])],
                      NORM_SCALE[0], NORM_SCALE[1], np.arange(epochs + 1), height=11, log=True,
                      y_ticks=[10.0 ** power for power in range(-5, 1)], y_format="{:g}".format))
    for layer in range(history.shape[1]):
        print(f"  layer {layer + 1}: {history[0, layer]:.4f} at the start, {history[-1, layer]:.4f} after "
              f"epoch {epochs}")
    print(f"\nthe first hidden layer's gradient is on average {result['first_to_last_ratio']:.1%} of the "
          "last one's")
    what_this_shows(
        "the gradient reaching a layer is a product with one factor of weight times sigma'(z) per later layer; "
        "sigma'(z) is at most 1/4, so with modest weights it shrinks layer by layer going back. The first "
        "hidden layer learns many times slower than the last: extra layers add little unless the gradient "
        "can flow. If the weights were large instead, the same product could grow and the gradient would "
        "explode: the gradient in early layers is unstable either way."
    )


if __name__ == "__main__":
    main()
