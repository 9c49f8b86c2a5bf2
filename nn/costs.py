"""Cost functions, each with its output activation, its value and its output-layer delta.

Every cost is computed from the output layer's weighted input z rather than from the activation a,
so a saturated output (sigma(z) == 1.0 exactly once z > 36.7 in float64) never yields log(0).
Rows are examples: `value` gives one cost per row, `delta` gives dC/dz for every output neuron.
"""

import numpy as np

from nn.activations import log_sum_exp, sigmoid, sigmoid_prime, softmax


class QuadraticCost:
    """C = ||a - y||^2 / 2 with sigmoid outputs; its delta carries sigma'(z), hence learning slowdown."""

    name = "quadratic"
    activation = staticmethod(sigmoid)

    @staticmethod
    def value(z, y):
        return 0.5 * np.sum((sigmoid(z) - y) ** 2, axis=-1)

    @staticmethod
    def delta(z, y):
        return (sigmoid(z) - y) * sigmoid_prime(z)

    @staticmethod
    def output_delta(z, a, y):
        """`delta` given a = sigmoid(z) already computed (the forward pass has it): the same numbers,
        with one sigmoid instead of three, which is most of a small mini-batch's step."""
        return (a - y) * (a * sigmoid(-z))


class CrossEntropyCost:
    """C = -sum[y ln a + (1-y) ln(1-a)] with sigmoid outputs; its delta is a - y, with no sigma'(z)."""

    name = "cross-entropy"
    activation = staticmethod(sigmoid)

    @staticmethod
    def value(z, y):
        # -ln a = ln(1 + e^-z) and -ln(1 - a) = ln(1 + e^z): both are logaddexp, finite for every z.
        return np.sum(y * np.logaddexp(0.0, -z) + (1 - y) * np.logaddexp(0.0, z), axis=-1)

    @staticmethod
    def delta(z, y):
        return sigmoid(z) - y

    @staticmethod
    def output_delta(z, a, y):
        return a - y


class LogLikelihoodCost:
    """C = -ln a_y with softmax outputs, computed as log-sum-exp(z) - z_y; its delta is a - y."""

    name = "log-likelihood"
    activation = staticmethod(softmax)

    @staticmethod
    def value(z, y):
        return log_sum_exp(z) - np.sum(y * z, axis=-1)

    @staticmethod
    def delta(z, y):
        return softmax(z) - y

    @staticmethod
    def output_delta(z, a, y):
        return a - y


COSTS = {cost.name: cost for cost in (QuadraticCost, CrossEntropyCost, LogLikelihoodCost)}
