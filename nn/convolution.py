"""Convolution and pooling: shared weights find one feature everywhere, with far fewer parameters.

The book's chapter 6 in NumPy, on 28x28 synthetic digits. A feature map slides one 5x5 kernel and one bias
over every 5x5 patch of the image (24 x 24 positions), so 26 parameters detect the same feature anywhere,
and shifting the image shifts the map. 2x2 max-pooling keeps the strongest response in each patch, so a
small shift changes the pooled map less. A tiny network (one convolution + pooling layer, then softmax)
trains in seconds and beats a fully connected [784, 30, 10] network with twice its parameters.
"""

import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nn import book
from nn.activations import log_sum_exp, softmax
from nn.costs import CrossEntropyCost
from nn.digits import train_test
from nn.feedforward import Network, one_hot
from nn.terminal import demo_parser, float_range, int_range, what_this_shows

SIDE, KERNEL, POOL = 28, 5, 2
MAP_SIDE = SIDE - KERNEL + 1  # 24
POOLED_SIDE = MAP_SIDE // POOL  # 12
SHADES = " ░▒▓█"
# A vertical-edge detector: dark on the left, ink on the right, so it answers the left edge of a stroke.
EDGE_KERNEL = np.tile(np.array([-1.0, -1.0, 0.0, 1.0, 1.0]), (KERNEL, 1)) / 10
EPILOG = """options a card may pass:
  --maps 8             feature maps in the trained network (at most 32)
  --epochs 2           epochs for both networks, about 1 s each (at most 10)
  --train-size 3000    training digits (100 to 20000)
  --eta 0.2            the convolutional network's learning rate"""


def patches(images):
    """Every 5x5 patch of every image, flattened: (n, 576, 25) for (n, 784) or (n, 28, 28) images."""
    images = np.asarray(images).reshape(-1, SIDE, SIDE)
    return sliding_window_view(images, (KERNEL, KERNEL), axis=(1, 2)).reshape(len(images), -1, KERNEL * KERNEL)


def feature_maps(images, kernels, biases):
    """Weighted inputs z of every feature map: (n, 24, 24, maps); kernels (maps, 5, 5), biases (maps,).

    One matrix product: each row of patches(images) meets the same kernels, which is weight sharing.
    """
    kernels = np.asarray(kernels).reshape(-1, KERNEL * KERNEL)
    z = patches(images) @ kernels.T + biases
    return z.reshape(-1, MAP_SIDE, MAP_SIDE, len(kernels))


def max_pool(maps):
    """The largest value in each 2x2 block: (n, 24, 24, k) -> (n, 12, 12, k)."""
    n, side, _, k = maps.shape
    return maps.reshape(n, side // POOL, POOL, side // POOL, POOL, k).max(axis=(2, 4))


def shift_right(images, pixels):
    """The images moved `pixels` to the right, blank columns coming in on the left."""
    images = np.asarray(images).reshape(-1, SIDE, SIDE)
    shifted = np.zeros_like(images)
    shifted[:, :, pixels:] = images[:, :, :SIDE - pixels]
    return shifted


def correlation(a, b):
    """Pearson correlation of two arrays taken as flat lists of numbers."""
    return float(np.corrcoef(np.ravel(a), np.ravel(b))[0, 1])


class ConvNet:
    """28x28 input -> `maps` feature maps (5x5, ReLU) -> 2x2 max-pooling -> 10 softmax outputs.

    Trained by mini-batch SGD on the log-likelihood cost, as the book's convolutional networks are.
    """

    def __init__(self, maps=8, seed=0):
        rng = np.random.default_rng(seed)
        self.kernels = rng.standard_normal((maps, KERNEL * KERNEL)) / KERNEL  # N(0, 1/25)
        self.biases = np.zeros(maps)
        inputs = maps * POOLED_SIDE * POOLED_SIDE
        self.weights = rng.standard_normal((inputs, 10)) / np.sqrt(inputs)
        self.output_biases = np.zeros(10)

    @property
    def parameters(self):
        return [self.kernels, self.biases, self.weights, self.output_biases]

    def parameter_count(self):
        return sum(p.size for p in self.parameters)

    def forward(self, x):
        rows = patches(x)
        z = rows @ self.kernels.T + self.biases  # (n, 576, maps)
        activation = np.maximum(z, 0.0).reshape(len(rows), MAP_SIDE, MAP_SIDE, -1)
        pooled = max_pool(activation)
        output_z = pooled.reshape(len(rows), -1) @ self.weights + self.output_biases
        return rows, z, activation, pooled, output_z

    def cost(self, x, y):
        """Mean log-likelihood cost, from the output z (log-sum-exp)."""
        output_z = self.forward(x)[-1]
        return float(np.mean(log_sum_exp(output_z) - np.sum(y * output_z, axis=1)))

    def backprop(self, x, y):
        """Gradients of the mean cost for kernels, biases, weights, output biases, in that order."""
        rows, z, activation, pooled, output_z = self.forward(x)
        n, maps = len(rows), len(self.biases)
        delta = (softmax(output_z) - y) / n  # BP1 for softmax with log-likelihood
        flat = pooled.reshape(n, -1)
        grad_weights, grad_output_biases = flat.T @ delta, delta.sum(axis=0)
        delta_pooled = (delta @ self.weights.T).reshape(pooled.shape)
        # Max-pooling passes the error to the unit that won its block (ties only where ReLU gave 0,
        # and those get no gradient below).
        blocks = activation.reshape(n, POOLED_SIDE, POOL, POOLED_SIDE, POOL, maps)
        winners = blocks == pooled[:, :, None, :, None, :]
        delta_maps = (winners * delta_pooled[:, :, None, :, None, :]).reshape(n, MAP_SIDE * MAP_SIDE, maps)
        delta_maps *= z > 0  # ReLU's derivative
        grad_kernels = (rows.reshape(-1, KERNEL * KERNEL).T @ delta_maps.reshape(-1, maps)).T
        return [grad_kernels, delta_maps.sum(axis=(0, 1)), grad_weights, grad_output_biases]

    def train(self, x, labels, epochs, mini_batch_size, eta, seed=0):
        """SGD over shuffled mini-batches; yields the epoch number after each epoch."""
        rng = np.random.default_rng(seed)
        y = one_hot(labels)
        for epoch in range(1, epochs + 1):
            order = rng.permutation(len(x))
            for start in range(0, len(x), mini_batch_size):
                batch = order[start:start + mini_batch_size]
                for parameter, gradient in zip(self.parameters, self.backprop(x[batch], y[batch])):
                    parameter -= eta * gradient
            yield epoch

    def accuracy(self, x, labels):
        return float(np.mean(np.argmax(self.forward(x)[-1], axis=1) == labels))


def shade(image):
    """Text lines drawing a 2-D array of values in [0, 1]: one character per column, two rows per line."""
    image = np.asarray(image, dtype=float)
    if len(image) % 2:
        image = np.vstack([image, np.zeros((1, image.shape[1]))])
    paired = (image[0::2] + image[1::2]) / 2
    levels = np.clip(np.rint(paired * (len(SHADES) - 1)), 0, len(SHADES) - 1).astype(int)
    return ["".join(SHADES[level] for level in row) for row in levels]


def run(seed=0, maps=8, train_size=3000, test_size=1000, epochs=2, mini_batch_size=20, eta=0.2, shift=3):
    """Parameter counts, shift equivariance and pooling's tolerance of shifts, and both networks trained."""
    training, test = train_test(train_size, test_size, seed=seed)
    probe = test.images[:500]
    edge_maps = feature_maps(probe, EDGE_KERNEL[None], np.zeros(1))[..., 0]
    shifted_maps = feature_maps(shift_right(probe, shift), EDGE_KERNEL[None], np.zeros(1))[..., 0]
    equivariance = float(np.max(np.abs(shifted_maps[:, :, shift:] - edge_maps[:, :, :MAP_SIDE - shift])))
    relu = np.maximum(edge_maps, 0.0)[..., None]
    relu_moved = np.maximum(feature_maps(shift_right(probe, 1), EDGE_KERNEL[None], np.zeros(1)), 0.0)
    sample = int(np.flatnonzero(test.labels == 4)[0]) if np.any(test.labels == 4) else 0

    conv = ConvNet(maps, seed=seed)
    started = time.perf_counter()
    conv_accuracies = [conv.accuracy(test.images, test.labels)
                       for _ in conv.train(training.images, training.labels, epochs, mini_batch_size, eta, seed)]
    conv_seconds = time.perf_counter() - started
    dense = Network([SIDE * SIDE, 30, 10], CrossEntropyCost, "scaled", seed=seed)
    started = time.perf_counter()
    dense_accuracies = [dense.accuracy(test.images, test.labels)
                        for _ in dense.train(training.images, training.labels, epochs, 10, 0.5, seed=seed)]
    dense_seconds = time.perf_counter() - started
    return {
        "book_conv_parameters": book.CONV_FEATURE_MAPS * (KERNEL * KERNEL + 1),
        "book_dense_parameters": SIDE * SIDE * 30 + 30,
        "shift": shift,
        "equivariance_difference": equivariance,
        "pixel_correlation_after_shift": correlation(probe, shift_right(probe, 1)),
        "map_correlation_after_shift": correlation(relu, relu_moved),
        "pooled_correlation_after_shift": correlation(max_pool(relu), max_pool(relu_moved)),
        "sample_image": test.images[sample].reshape(SIDE, SIDE).tolist(),
        "sample_map": np.maximum(edge_maps[0 if sample >= len(probe) else sample], 0.0).tolist(),
        "maps": maps,
        "train_size": train_size,
        "test_size": test_size,
        "epochs": epochs,
        "conv": {"parameters": conv.parameter_count(), "accuracies": conv_accuracies},
        "dense": {"parameters": sum(w.size for w in dense.weights) + sum(b.size for b in dense.biases),
                  "accuracies": dense_accuracies},
        "seconds": {"conv": conv_seconds, "dense": dense_seconds},
    }


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--maps", type=int_range(1, 32), default=8, help="feature maps (default 8)")
    parser.add_argument("--epochs", type=int_range(1, 10), default=2, help="epochs (default 2)")
    parser.add_argument("--train-size", type=int_range(100, 20000), default=3000, help="training digits (default 3000)")
    parser.add_argument("--eta", type=float_range(0, 10, include_low=False), default=0.2, help="learning rate (default 0.2)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, maps=args.maps, train_size=args.train_size, epochs=args.epochs, eta=args.eta)
    conv_book, dense_book = result["book_conv_parameters"], result["book_dense_parameters"]
    print("Shared weights: a feature map applies one 5x5 kernel and one bias at each of")
    print(f"the {MAP_SIDE} x {MAP_SIDE} positions of a 28 x 28 image, 26 parameters however large the image.")
    print(f"  {book.CONV_FEATURE_MAPS} feature maps, 20 x 26:{conv_book:>26,} parameters")
    print(f"  a fully connected layer of 30 neurons, 784 x 30 + 30:{dense_book:>7,} parameters "
          f"({dense_book / conv_book:.0f}x)")
    print(f"  (book: {book.CONV_PARAMETERS} against {book.FULLY_CONNECTED_PARAMETERS:,}, "
          "\"more than 40 times as many\")")

    print("\nA test digit, the feature map of a vertical-edge kernel (ReLU), and that map")
    print("after 2x2 max-pooling:\n")
    image = np.array(result["sample_image"])
    feature = np.array(result["sample_map"])
    pooled = max_pool(feature[None, :, :, None])[0, :, :, 0]
    scale = max(feature.max(), 1e-12)
    # Map position i sees pixels i..i+4, centred on pixel i+2: one text line (two pixel rows) lower.
    columns = [shade(image), [""] + shade(feature / scale), [""] + shade(pooled / scale)]
    widths = [SIDE, MAP_SIDE, POOLED_SIDE]
    for row in range(len(columns[0])):
        print(("  " + "   ".join((column[row] if row < len(column) else "").ljust(width)
                                  for column, width in zip(columns, widths))).rstrip())
    print(f"  {'28 x 28 pixels':<{SIDE}}   {'24 x 24 map':<{MAP_SIDE}}   12 x 12")

    shift = result["shift"]
    print(f"\nShifting the digits {shift} pixels right shifts their feature maps {shift} pixels right:")
    print(f"  largest difference where they overlap {result['equivariance_difference']:.1e}")
    print("A 1-pixel shift, correlation with the unshifted version (500 test digits):")
    print(f"  pixels {result['pixel_correlation_after_shift']:.2f}   feature map "
          f"{result['map_correlation_after_shift']:.2f}   after max-pooling "
          f"{result['pooled_correlation_after_shift']:.2f}")

    conv, dense = result["conv"], result["dense"]
    print(f"\nTrained on {result['train_size']:,} digits for {result['epochs']} epochs, tested on "
          f"{result['test_size']:,} others:")
    print(f"  {'network':<38}{'parameters':>11}{'accuracy':>10}{'time':>8}")
    rows = ((f"conv {result['maps']} maps 5x5, ReLU, pool 2x2, softmax", conv, result["seconds"]["conv"]),
            ("fully connected [784, 30, 10]", dense, result["seconds"]["dense"]))
    for name, numbers, seconds in rows:
        print(f"  {name:<38}{numbers['parameters']:>11,}{numbers['accuracies'][-1]:>10.1%}{seconds:>7.1f}s")
    what_this_shows(
        "a convolutional layer looks at small patches and uses the same weights for every patch, so a "
        "feature map finds one kind of feature wherever it is in the image, with a tiny number of "
        "parameters; shifting the input shifts the map. Max-pooling keeps only the strongest response in "
        "each small block, so the exact position matters less. Built into the network, these assumptions "
        "about images let it learn more from fewer parameters than a fully connected layer."
    )


if __name__ == "__main__":
    main()
