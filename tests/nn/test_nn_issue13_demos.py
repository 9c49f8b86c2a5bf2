"""Issue 13's demos: the number or curve each one prints, pinned for the default seed."""

import numpy as np
import pytest

from nn import activation_slopes, dropout, exploding_gradient, l1_l2, learning_rates, momentum


@pytest.fixture(scope="module")
def learning_rates_result():
    return learning_rates.run()


def test_learning_rates_too_small_crawls_about_right_is_lowest_too_large_thrashes(learning_rates_result):
    summary, costs = learning_rates_result["summary"], learning_rates_result["costs"]
    small, right, large = (summary[eta] for eta in learning_rates.ETAS)
    assert small["rises"] == 0 and costs[0.025][0] - small["final"] == pytest.approx(1.25, abs=0.01)
    assert right["final"] == pytest.approx(1.74, abs=0.01) and right["last_ten_spread"] < 0.1
    assert large["final"] == pytest.approx(3.17, abs=0.01) and large["last_ten_spread"] > 0.5
    assert right["final"] < small["final"] < large["final"]
    assert large["rises"] > 10 and max(costs[2.5]) > 4.5


def test_learning_rates_same_seed_same_curves():
    params = {"seed": 3, "train_size": 100, "epochs": 2}
    assert learning_rates.run(**params) == learning_rates.run(**params)


def test_momentum_at_the_same_eta_arrives_several_times_sooner_and_plain_descent_zigzags_near_its_limit():
    result = momentum.run()
    assert result["steps"] == {"plain": 268, "momentum": 82, "plain_at_limit": 70}
    assert result["table"][0.01] == (539, 92) and result["table"][0.075] == (70, 85)
    assert result["x_after_20"]["plain"] == pytest.approx(10 * 0.98 ** 20)  # x shrinks by 1 - eta per step
    assert result["flips_in_20"]["plain_at_limit"] == 20  # y factor 1 - 25 * 0.075 = -0.875: a flip every step
    assert abs(momentum.descend(0.081, 0.0, steps=200)[-1, 1]) == pytest.approx(1.025 ** 200)  # |1 - 25 eta| > 1


def test_momentum_zero_is_plain_gradient_descent():
    assert momentum.steps_to_target(momentum.descend(0.02, 0.0)) == momentum.run(mu=0.0)["steps"]["momentum"]


def test_activation_slopes_largest_slopes_and_where_each_goes_flat():
    summary = activation_slopes.run()["summary"]
    assert {name: values["max"] for name, values in summary.items()} == pytest.approx(
        {"sigmoid": 0.25, "tanh": 1.0, "ReLU": 1.0})
    assert summary["sigmoid"]["flat_beyond"] == pytest.approx(4.585, abs=1e-3)
    assert summary["tanh"]["flat_beyond"] == pytest.approx(2.994, abs=1e-3)
    assert summary["ReLU"]["flat_beyond"] is None  # never flat for z > 0
    assert summary["ReLU"]["flat_share"] == pytest.approx(0.5, abs=1e-3)  # exactly the z < 0 half
    assert summary["sigmoid"]["chain"] == pytest.approx(0.25 ** 5) and summary["tanh"]["chain"] == pytest.approx(1)


def test_activation_slopes_tanh_slope_is_four_sigmoid_slopes_at_twice_z():
    z = np.linspace(-6, 6, 101)
    curves, doubled = activation_slopes.slopes(z), activation_slopes.slopes(2 * z)
    np.testing.assert_allclose(curves["tanh"], 4 * doubled["sigmoid"], atol=1e-12)
    assert activation_slopes.run()["exact_flat"] == pytest.approx({"sigmoid": 4.585, "tanh": 2.993}, abs=1e-3)


def test_exploding_gradient_each_layer_multiplies_by_w_over_4_when_z_is_zero():
    result = exploding_gradient.run()
    assert result["max_abs_z"] == 0
    assert result["ratios"][100.0] == pytest.approx([25.0 ** 4, 25.0 ** 3, 625, 25, 1])  # 390,625 at layer 1
    assert result["ratios"][10.0] == pytest.approx([2.5 ** 4, 2.5 ** 3, 6.25, 2.5, 1])
    assert result["ratios"][1.0] == pytest.approx([0.25 ** 4, 0.25 ** 3, 0.0625, 0.25, 1])


def test_exploding_gradient_large_weights_alone_saturate_and_random_weights_vanish():
    result = exploding_gradient.run()
    assert result["saturated_ratios"][0] == pytest.approx(4.25e-14, rel=0.01)
    assert result["random_median_ratio"] == pytest.approx(1.1e-4, rel=0.05)
    assert result["random_share_growing"] < 0.001
    assert exploding_gradient.run(layers=8)["ratios"][100.0][0] == pytest.approx(25.0 ** 7)


def test_l1_l2_at_similar_accuracy_l1_zeroes_most_weights_and_l2_none():
    runs = l1_l2.run()["runs"]
    assert runs["l1"]["zero"] == pytest.approx(0.726, abs=0.001) and runs["l2"]["zero"] == 0 == runs["none"]["zero"]
    assert runs["l2"]["near_zero"] == pytest.approx(0.176, abs=0.001)
    assert runs["l1"]["largest"] == pytest.approx(0.661, abs=0.001)
    assert runs["l1"]["largest"] > runs["l2"]["largest"] + 0.1
    assert all(abs(run["test_accuracy"] - runs["none"]["test_accuracy"]) < 0.01 for run in runs.values())
    assert sum(runs["l1"]["histogram"]) == sum(runs["l2"]["histogram"]) == 7840


def test_l1_l2_l2_shrinks_in_proportion_and_l1_by_a_constant():
    images, labels = np.zeros((4, 784)), np.arange(4)  # no data gradient: only the penalty moves the weights
    start, _ = l1_l2.train(images, labels, None, 0.0, 1)
    l2, _ = l1_l2.train(images, labels, "l2", 2.0, 1)
    l1, _ = l1_l2.train(images, labels, "l1", 0.02, 1)
    np.testing.assert_allclose(l2, start * (1 - 2.0 / 4))
    np.testing.assert_allclose(np.abs(l1), np.maximum(np.abs(start) - 0.02 / 4, 0))


def test_dropout_narrows_the_train_test_gap_and_raises_test_accuracy():
    runs = dropout.run()["runs"]
    plain, dropped = runs["plain"], runs["dropout"]
    assert plain["train_accuracy"][-1] == 1.0 and plain["test_accuracy"][-1] == pytest.approx(0.819, abs=0.001)
    assert dropped["train_accuracy"][-1] == pytest.approx(0.966, abs=0.001)
    assert dropped["test_accuracy"][-1] == pytest.approx(0.835, abs=0.001)
    assert dropped["gap"] < plain["gap"] - 0.04 and dropped["best_test"] > plain["best_test"] + 0.02


def test_dropout_masks_are_inverted_and_p_zero_is_the_plain_gradient():
    network = dropout.DropoutNetwork([6, 50, 3], 0.0, seed=1)
    x, y = np.random.default_rng(2).random((4, 6)), np.eye(3)[[0, 1, 2, 0]]
    plain = dropout.Network.backprop(network, x, y)
    for mine, theirs in zip(network.backprop(x, y).weights, plain.weights):
        np.testing.assert_allclose(mine, theirs, atol=1e-12)
    half = dropout.DropoutNetwork([6, 2000, 3], 0.5, seed=1)
    masks = (half.rng.random((200, 2000)) >= 0.5) / 0.5
    assert masks.mean() == pytest.approx(1.0, abs=0.01) and set(np.unique(masks)) == {0.0, 2.0}
