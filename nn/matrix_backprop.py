"""Matrix-based backprop: a whole mini-batch in one pass gives the same gradients as a per-example loop, faster.

The book's network.py backpropagates one example at a time and averages. Stacking the mini-batch as the
rows of one matrix turns each layer's work into a single matrix product, which NumPy hands to optimised
BLAS code instead of running the Python loop m times.
"""

import argparse
import time

import numpy as np

from nn.costs import QuadraticCost
from nn.digits import synthetic_digits
from nn.feedforward import Gradients, Network, one_hot
from nn._threads import blas_threads
from nn.terminal import bar, demo_parser, int_range, what_this_shows

EPILOG = """options a card may pass:
  --batch-sizes 10,100   mini-batch sizes to compare (up to 4, each at most 500)
  --repeats 20           timings per way, the fastest counts (at most 100)

Run as python -m nn.matrix_backprop, NumPy's BLAS uses one thread
(nn/_threads.py); set OPENBLAS_NUM_THREADS to compare with more."""


class LoopedNetwork(Network):
    """The same network, but backprop runs once per example and averages, as in the book's network.py."""

    def backprop(self, x, y):
        per_example = [Network.backprop(self, x[i:i + 1], y[i:i + 1]) for i in range(len(x))]
        return Gradients(
            [np.mean(layer, axis=0) for layer in zip(*(gradients.weights for gradients in per_example))],
            [np.mean(layer, axis=0) for layer in zip(*(gradients.biases for gradients in per_example))],
        )


def best_seconds(action, repeats):
    """The fastest of `repeats` timings: the least disturbed by whatever else the machine is doing."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def run(seed=0, sizes=(784, 30, 10), batch_sizes=(10, 100), repeats=20):
    """Largest gradient difference between the two ways, and their timings per mini-batch size."""
    data = synthetic_digits(max(batch_sizes), seed=seed)
    matrix = Network(list(sizes), QuadraticCost, "large", seed=seed)
    looped = LoopedNetwork(list(sizes), QuadraticCost, "large", seed=seed)
    comparisons = {}
    for batch_size in batch_sizes:
        x, y = data.images[:batch_size], one_hot(data.labels[:batch_size])
        fast, slow = matrix.backprop(x, y), looped.backprop(x, y)
        difference = max(float(np.max(np.abs(a - b)))
                         for a, b in zip(fast.weights + fast.biases, slow.weights + slow.biases))
        matrix_time = best_seconds(lambda: matrix.backprop(x, y), repeats)
        loop_time = best_seconds(lambda: looped.backprop(x, y), repeats)
        comparisons[batch_size] = {"max_difference": difference, "matrix_seconds": matrix_time,
                                   "loop_seconds": loop_time, "speedup": loop_time / matrix_time}
    return {"sizes": list(sizes), "batches": comparisons, "blas_threads": blas_threads(),
            "max_difference": max(c["max_difference"] for c in comparisons.values())}


def batch_sizes(text):
    """argparse type: mini-batch sizes such as 10,100 (1 to 4 of them, each 1 to 500)."""
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 10,100, not {text!r}") from None
    if not (1 <= len(sizes) <= 4 and all(1 <= size <= 500 for size in sizes)):
        raise argparse.ArgumentTypeError("1 to 4 mini-batch sizes, each from 1 to 500")
    return sizes


def argument_parser():
    """--seed and the options a card may pass (EPILOG)."""
    parser = demo_parser(__doc__.splitlines()[0], EPILOG)
    parser.add_argument("--batch-sizes", type=batch_sizes, default=(10, 100),
                        help="mini-batch sizes to compare (default 10,100)")
    parser.add_argument("--repeats", type=int_range(1, 100), default=20,
                        help="timings per way; the fastest counts (default 20)")
    return parser


def main(argv=None):
    args = argument_parser().parse_args(argv)
    result = run(seed=args.seed, batch_sizes=args.batch_sizes, repeats=args.repeats)
    threads = result["blas_threads"]
    print(f"Network {result['sizes']}: backprop for one mini-batch, per-example loop vs one")
    print(f"matrix pass; best of {args.repeats}, timed on {threads or 'an unknown number of'} BLAS "
          f"thread{'' if threads == 1 else 's'}.\n")
    print(f"  {'batch':>6}{'largest difference':>20}{'loop':>11}{'matrix':>11}{'speedup':>9}")
    fastest = max(c["speedup"] for c in result["batches"].values())
    for batch_size, comparison in result["batches"].items():
        print(f"  {batch_size:>6}{comparison['max_difference']:>20.1e}{comparison['loop_seconds'] * 1e3:>9.2f}ms"
              f"{comparison['matrix_seconds'] * 1e3:>9.2f}ms{comparison['speedup']:>8.1f}x  "
              f"{bar(comparison['speedup'], fastest, 18)}")
    print("\n(the differences are float64 round-off: the two ways add the same numbers in")
    print("another order)")
    print("\n  book: about a factor of two on MNIST, on its author's laptop. The gain here")
    print("  depends on this machine, its linear-algebra library and the batch size.")
    what_this_shows(
        "backpropagating a mini-batch as one matrix, one row per example, computes exactly the same average "
        "gradient as looping over the examples, but each layer becomes one matrix product instead of m small "
        "ones, so the work runs in optimised linear-algebra code rather than the Python interpreter. The "
        "arithmetic is the same: only where it runs changes."
    )


if __name__ == "__main__":
    main()
