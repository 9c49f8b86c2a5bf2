"""Epoch time of the matrix-based network vs the per-example loop, and vs PyTorch on the CPU if installed.

The same [784, 30, 10] sigmoid network, quadratic cost, eta 3.0, on the same synthetic digits and the
same mini-batch order, as in `python -m nn.network`. Run from the repository root:

    python bench/bench_nn.py [--train-size 10000] [--repeats 3]

PyTorch is optional: without it that part is skipped with a note.

Threads: like the demos, NumPy's BLAS and PyTorch get one thread unless OPENBLAS_NUM_THREADS (and
OMP_NUM_THREADS, MKL_NUM_THREADS) say otherwise. On a busy 2-core machine two BLAS threads made the
matrix version with mini-batches of 100 some 18x slower, as slow as the per-example loop.
"""

import argparse
import os
import platform
import sys
import time
from pathlib import Path

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # before NumPy loads BLAS
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nn._threads import blas_threads, describe as describe_blas_threads  # noqa: E402
from nn.costs import QuadraticCost  # noqa: E402
from nn.digits import train_test  # noqa: E402
from nn.feedforward import Network, one_hot  # noqa: E402
from nn.matrix_backprop import LoopedNetwork, best_seconds  # noqa: E402

SIZES = [784, 30, 10]
ETA = 3.0


def numpy_epoch(network_class, training, mini_batch_size, repeats):
    """Best epoch time of one of our networks, and its training accuracy after the `repeats` timed epochs."""
    network = network_class(SIZES, QuadraticCost, "large", seed=0)
    seconds = best_seconds(
        lambda: list(network.train(training.images, training.labels, 1, mini_batch_size, ETA)), repeats)
    return seconds, network.accuracy(training.images, training.labels)


def torch_epoch(torch, training, mini_batch_size, repeats, dtype):
    """The same network and SGD in PyTorch: best epoch time, and training accuracy after `repeats` epochs.

    The layers start from our network's initial weights, so both compute the same thing.
    """
    layers = [torch.nn.Linear(n_in, n_out) for n_in, n_out in zip(SIZES[:-1], SIZES[1:])]
    start = Network(SIZES, QuadraticCost, "large", seed=0)
    with torch.no_grad():
        for layer, weights, biases in zip(layers, start.weights, start.biases):
            layer.weight.copy_(torch.from_numpy(weights))
            layer.bias.copy_(torch.from_numpy(biases))
    model = torch.nn.Sequential(layers[0], torch.nn.Sigmoid(), layers[1], torch.nn.Sigmoid()).to(dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=ETA)
    x = torch.tensor(training.images, dtype=dtype)
    y = torch.tensor(one_hot(training.labels), dtype=dtype)

    def epoch():
        order = torch.tensor(np.random.default_rng(0).permutation(len(x)))
        for start in range(0, len(x), mini_batch_size):
            batch = order[start:start + mini_batch_size]
            optimizer.zero_grad()
            loss = 0.5 * ((model(x[batch]) - y[batch]) ** 2).sum(dim=1).mean()  # the quadratic cost
            loss.backward()
            optimizer.step()

    seconds = best_seconds(epoch, repeats)
    with torch.no_grad():
        accuracy = float((model(x).argmax(dim=1).numpy() == training.labels).mean())
    return seconds, accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-size", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per variant; the best counts")
    args = parser.parse_args()
    training, _ = train_test(args.train_size, 0, seed=0)
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"NumPy {np.__version__}")
    print(describe_blas_threads())
    print(f"one SGD epoch of {SIZES} on {args.train_size} synthetic digits, quadratic cost, eta {ETA}; "
          f"best of {args.repeats}\n")
    rows, matrix_seconds = [], {}
    for mini_batch_size in (10, 100):
        matrix = numpy_epoch(Network, training, mini_batch_size, args.repeats)
        matrix_seconds[mini_batch_size] = matrix[0]
        rows.append((f"numpy, matrix mini-batch (m={mini_batch_size})", *matrix))
        loop = numpy_epoch(LoopedNetwork, training, mini_batch_size, args.repeats)
        rows.append((f"numpy, per-example loop (m={mini_batch_size})", *loop))
        rows.append((f"  matrix speedup over the loop: {loop[0] / matrix[0]:.1f}x", None, None))
    try:
        import torch
    except ImportError:
        torch = None
        rows.append(("pytorch: not installed, skipped", None, None))
    if torch is not None:
        torch.set_num_threads(blas_threads() or 1)  # the same number of threads as NumPy's BLAS
        for mini_batch_size in (10, 100):
            for dtype in (torch.float64, torch.float32):
                seconds, accuracy = torch_epoch(torch, training, mini_batch_size, args.repeats, dtype)
                rows.append((f"pytorch {torch.__version__} cpu, {str(dtype)[6:]} (m={mini_batch_size})",
                             seconds, accuracy))
                rows.append((f"  pytorch time / numpy matrix time: {seconds / matrix_seconds[mini_batch_size]:.1f}x",
                             None, None))
    for label, seconds, accuracy in rows:
        if seconds is None:
            print(label)
        else:
            print(f"{label:<44}{seconds:>8.3f} s/epoch   training accuracy {accuracy:.1%}")


if __name__ == "__main__":
    main()
