"""A feedforward sigmoid network trained by mini-batch SGD with fully matrix-based backpropagation.

Layout: each row of X is one example, so a layer computes z = a_prev @ W.T + b with W of shape
(n_out, n_in), as in the book. A whole mini-batch goes through every step at once; there is no
per-example loop anywhere in training.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from nn.activations import sigmoid
from nn.costs import CrossEntropyCost

WEIGHT_INITS = ("large", "scaled")


def one_hot(labels, classes=10):
    """Target vectors y: row i is all zeros except a 1 at labels[i]."""
    return np.eye(classes)[labels]


@dataclass
class Gradients:
    """dC/dW and dC/db for every layer, averaged over the examples of a batch."""

    weights: list
    biases: list


class Network:
    """sizes like [784, 30, 10]; sigmoid hidden layers; the cost chooses the output activation.

    weight_init "large" draws every weight from N(0, 1); "scaled" from N(0, 1/n_in), which keeps the
    weighted inputs of hidden neurons small enough not to saturate. Biases are N(0, 1) either way.
    """

    def __init__(self, sizes, cost=CrossEntropyCost, weight_init="scaled", seed=0):
        if weight_init not in WEIGHT_INITS:
            raise ValueError(f"weight_init must be one of {WEIGHT_INITS}, not {weight_init!r}")
        rng = np.random.default_rng(seed)
        self.sizes = list(sizes)
        self.cost = cost
        self.weights = [
            rng.standard_normal((n_out, n_in)) / (np.sqrt(n_in) if weight_init == "scaled" else 1.0)
            for n_in, n_out in zip(sizes[:-1], sizes[1:])
        ]
        self.biases = [rng.standard_normal(n_out) for n_out in sizes[1:]]

    def forward(self, x):
        """Weighted inputs z and activations a of every layer; activations[0] is x itself."""
        activations, weighted_inputs = [x], []
        for layer, (w, b) in enumerate(zip(self.weights, self.biases), start=1):
            z = activations[-1] @ w.T + b
            weighted_inputs.append(z)
            is_output = layer == len(self.weights)
            activations.append(self.cost.activation(z) if is_output else sigmoid(z))
        return weighted_inputs, activations

    def feedforward(self, x):
        return self.forward(x)[1][-1]

    def backprop(self, x, y):
        """The four equations of backpropagation, for a whole batch at once (rows are examples).

        BP1: delta_L = dC/dz_L, given by the cost. BP2: delta_l = (delta_{l+1} @ W_{l+1}) * sigma'(z_l).
        BP3: dC/db_l = delta_l. BP4: dC/dW_l = delta_l^T a_{l-1}. Sums over rows average the batch.
        """
        weighted_inputs, activations = self.forward(x)
        # Each row of delta divided by the batch size up front: the sums below are then the averages,
        # without dividing a whole weight-sized gradient array afterwards.
        delta = self.cost.output_delta(weighted_inputs[-1], activations[-1], y) / len(x)
        grad_w, grad_b = [], []
        for layer in range(len(self.weights) - 1, -1, -1):
            grad_w.append(delta.T @ activations[layer])
            grad_b.append(delta.sum(axis=0))
            if layer > 0:
                a = activations[layer]  # a hidden layer's sigma(z), so sigma'(z) = a (1 - a)
                delta = (delta @ self.weights[layer]) * (a * (1.0 - a))
        return Gradients(grad_w[::-1], grad_b[::-1])

    def update_mini_batch(self, x, y, eta, lmbda=0.0, n=1):
        """One SGD step; L2 shrinks each weight by the factor 1 - eta*lmbda/n before the gradient step."""
        gradients = self.backprop(x, y)
        decay = 1.0 - eta * lmbda / n
        for w, gw in zip(self.weights, gradients.weights):  # in place: no new 784 x 30 arrays per step
            if decay != 1.0:
                w *= decay
            gw *= eta
            w -= gw
        for b, gb in zip(self.biases, gradients.biases):
            b -= eta * gb

    def train(self, x, labels, epochs, mini_batch_size, eta, lmbda=0.0, seed=0) -> Iterator[int]:
        """SGD over shuffled mini-batches; yields the epoch number after each epoch so callers can measure."""
        rng = np.random.default_rng(seed)
        y = one_hot(labels, self.sizes[-1])
        shuffled_x, shuffled_y = np.empty_like(x, dtype=float), np.empty_like(y)
        for epoch in range(1, epochs + 1):
            order = rng.permutation(len(x))
            # One shuffled copy per epoch, its mini-batches views of it: a copy per mini-batch costs
            # more than the arithmetic on a batch of 10.
            np.take(x, order, axis=0, out=shuffled_x, mode="clip")  # "clip": not buffered, as "raise" is
            np.take(y, order, axis=0, out=shuffled_y, mode="clip")
            for start in range(0, len(x), mini_batch_size):
                end = start + mini_batch_size
                self.update_mini_batch(shuffled_x[start:end], shuffled_y[start:end], eta, lmbda, len(x))
            yield epoch

    def accuracy(self, x, labels):
        """Fraction of examples whose most active output neuron is the right digit."""
        return float(np.mean(np.argmax(self.feedforward(x), axis=1) == labels))

    def total_cost(self, x, labels, lmbda=0.0):
        """Mean cost over the examples plus the L2 term lmbda/(2n) * sum of squared weights."""
        return self.evaluate(x, labels, lmbda)[1]

    def evaluate(self, x, labels, lmbda=0.0):
        """(accuracy, total cost) from one forward pass; argmax of z is argmax of a for every cost here."""
        z = self.forward(x)[0][-1]
        accuracy = float(np.mean(np.argmax(z, axis=1) == labels))
        cost = float(np.mean(self.cost.value(z, one_hot(labels, self.sizes[-1]))))
        return accuracy, cost + 0.5 * lmbda / len(x) * sum(float(np.sum(w ** 2)) for w in self.weights)
