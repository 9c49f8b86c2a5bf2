"""The NumPy core: stable activations, costs whose deltas are their gradients, the network and SGD."""

import numpy as np
import pytest

from nn.activations import log_sum_exp, sigmoid, sigmoid_prime, softmax
from nn.costs import COSTS, CrossEntropyCost, LogLikelihoodCost
from nn.feedforward import Network, one_hot
from nn.gradient_check import numerical_gradient, relative_error

EXTREMES = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])


def test_sigmoid_is_finite_and_symmetric_at_extreme_inputs():
    a = sigmoid(EXTREMES)
    assert np.all(np.isfinite(a)) and a[0] == 0.0 and a[2] == 0.5 and a[-1] == 1.0
    np.testing.assert_allclose(sigmoid(-EXTREMES), 1 - a)
    assert np.all(sigmoid_prime(EXTREMES) <= 0.25) and sigmoid_prime(0.0) == 0.25


def test_sigmoid_prime_is_the_derivative_of_sigmoid():
    z = np.linspace(-8, 8, 33)
    np.testing.assert_allclose(sigmoid_prime(z), (sigmoid(z + 1e-6) - sigmoid(z - 1e-6)) / 2e-6, atol=1e-9)


def test_softmax_is_a_distribution_unchanged_by_a_shift_and_stable_at_large_z():
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    a = softmax(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0)
    np.testing.assert_allclose(softmax(z + 500.0), a)
    np.testing.assert_allclose(softmax(z + 1e6), a)
    np.testing.assert_allclose(log_sum_exp(z + 1000.0), log_sum_exp(z) + 1000.0)


@pytest.mark.parametrize("name", sorted(COSTS))
def test_each_cost_delta_is_the_gradient_of_its_value(name):
    cost = COSTS[name]
    rng = np.random.default_rng(1)
    z, y = rng.normal(0, 2, 5), one_hot(np.array([2]), 5)[0]
    nudged = z.copy()
    numeric = numerical_gradient(lambda: float(cost.value(nudged, y)), nudged)
    assert relative_error(cost.delta(z, y), numeric) < 1e-8


def test_costs_computed_from_z_stay_finite_when_the_output_saturates():
    y = np.zeros(5)
    assert np.all(np.isfinite(CrossEntropyCost.value(EXTREMES[:, None], y[:, None])))
    assert CrossEntropyCost.value(np.array([40.0]), np.zeros(1)) == pytest.approx(40.0)
    assert LogLikelihoodCost.value(np.array([1000.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(1000.0)


def test_weight_initialisers_have_the_stated_spread():
    large = Network([400, 200, 10], weight_init="large", seed=0)
    scaled = Network([400, 200, 10], weight_init="scaled", seed=0)
    assert large.weights[0].std() == pytest.approx(1.0, rel=0.02)
    assert scaled.weights[0].std() == pytest.approx(1 / np.sqrt(400), rel=0.02)
    assert scaled.weights[1].std() == pytest.approx(1 / np.sqrt(200), rel=0.1)
    with pytest.raises(ValueError):
        Network([2, 2], weight_init="zeros")


def test_backprop_matches_central_differences_for_every_cost():
    rng = np.random.default_rng(2)
    x, labels = rng.random((6, 5)), rng.integers(0, 3, 6)
    for cost in COSTS.values():
        network = Network([5, 4, 3], cost, seed=3)
        gradients = network.backprop(x, one_hot(labels, 3))
        for analytic, parameter in zip(gradients.weights + gradients.biases, network.weights + network.biases):
            numeric = numerical_gradient(lambda: network.total_cost(x, labels), parameter)
            assert relative_error(analytic, numeric) < 1e-7


def test_l2_shrinks_weights_by_the_decay_factor_and_leaves_biases_alone():
    network = Network([3, 2], seed=0)
    weights, biases = network.weights[0].copy(), network.biases[0].copy()
    x, y = np.zeros((1, 3)), one_hot(np.array([0]), 2)
    gradients = network.backprop(x, y)
    network.update_mini_batch(x, y, eta=0.5, lmbda=2.0, n=10)
    np.testing.assert_allclose(network.weights[0], (1 - 0.5 * 2.0 / 10) * weights - 0.5 * gradients.weights[0])
    np.testing.assert_allclose(network.biases[0], biases - 0.5 * gradients.biases[0])


def test_total_cost_adds_the_l2_term():
    network = Network([3, 2], seed=0)
    x, labels = np.ones((4, 3)), np.array([0, 1, 0, 1])
    penalty = 0.5 * 3.0 / 4 * np.sum(network.weights[0] ** 2)
    assert network.total_cost(x, labels, lmbda=3.0) == pytest.approx(network.total_cost(x, labels) + penalty)


def test_training_is_deterministic_for_a_seed_and_yields_each_epoch():
    rng = np.random.default_rng(0)
    x, labels = rng.random((30, 4)), rng.integers(0, 3, 30)

    def trained(seed):
        network = Network([4, 5, 3], seed=seed)
        epochs = list(network.train(x, labels, epochs=3, mini_batch_size=7, eta=0.5, seed=seed))
        return epochs, network.weights

    (epochs, first), (_, again), (_, other) = trained(1), trained(1), trained(2)
    assert epochs == [1, 2, 3]
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])
