"""Each demo's claim, as numbers from its run(); and the same numbers again for the same seed."""

import numpy as np
import pytest

from nn import (backprop, book, convolution, cross_entropy, initialization, matrix_backprop, network, overfitting,
                saturation, softmax, universality, vanishing_gradient)
from nn.feedforward import one_hot
from nn.gradient_check import numerical_gradient, relative_error


def test_saturation_quadratic_gradient_is_smaller_for_the_saturated_start_and_the_order_flips_under_cross_entropy():
    result = saturation.run()
    mild, saturated = result["starts"]["mild"], result["starts"]["saturated"]
    assert round(mild["output"], 2) == 0.82 and round(saturated["output"], 2) == 0.98
    assert saturated["grad_w_quadratic"] < mild["grad_w_quadratic"] / 5
    assert saturated["grad_w_cross_entropy"] > mild["grad_w_cross_entropy"]
    assert result["max_sigma_prime"] == pytest.approx(0.25)
    assert result["flat_beyond"] == pytest.approx(4.585, abs=1e-3)


def test_cross_entropy_returns_per_epoch_outputs_and_costs_for_both_costs_and_starts():
    result = cross_entropy.run(epochs=300)
    runs = result["runs"]
    assert set(runs) == {"quadratic", "cross-entropy"} and result["eta"] == 0.15
    for starts in runs.values():
        assert set(starts) == {"mild", "saturated"}
        for curves in starts.values():
            assert len(curves["output"]) == len(curves["cost"]) == 301
        assert round(starts["mild"]["output"][0], 2) == 0.82 and round(starts["saturated"]["output"][0], 2) == 0.98


def test_cross_entropy_at_the_same_eta_the_first_epochs_below_half_and_a_tenth_are_the_books_point():
    result = cross_entropy.run()  # eta 0.15 for both costs, the true gradient, 500 epochs
    below = {(cost, start): (curves["below"][0.5], curves["below"][0.1])
             for cost, starts in result["runs"].items() for start, curves in starts.items()}
    assert below == {
        ("quadratic", "mild"): (36, 273), ("quadratic", "saturated"): (232, 469),
        ("cross-entropy", "mild"): (8, 41), ("cross-entropy", "saturated"): (17, 50),
    }
    assert result["plateau_epochs"] == 131  # book: barely moves for about 150 epochs


def test_cross_entropy_by_epoch_50_is_near_a_tenth_while_the_quadratic_cost_is_still_near_0_98():
    runs = cross_entropy.run()["runs"]
    assert runs["cross-entropy"]["saturated"]["output"][50] == pytest.approx(0.099, abs=5e-4)
    assert runs["quadratic"]["saturated"]["output"][50] == pytest.approx(0.976, abs=5e-4)
    assert runs["quadratic"]["saturated"]["output"][300] == pytest.approx(0.203, abs=5e-4)


def test_cross_entropy_the_quadratic_cost_stalls_on_the_saturated_start_and_cross_entropy_does_not():
    runs = cross_entropy.run()["runs"]

    def drop_by_epoch_50(cost, start):
        curve = runs[cost][start]["output"]
        return curve[0] - curve[50]

    assert drop_by_epoch_50("quadratic", "saturated") < drop_by_epoch_50("quadratic", "mild") / 10
    assert drop_by_epoch_50("cross-entropy", "saturated") > drop_by_epoch_50("cross-entropy", "mild")


def test_cross_entropy_the_books_animation_rate_with_the_true_gradient_barely_moves_the_neuron():
    assert cross_entropy.run(epochs=10)["book_eta_output_at_300"] == pytest.approx(0.780, abs=5e-4)


def test_cross_entropy_a_threshold_never_reached_is_none():
    below = cross_entropy.run(epochs=100)["runs"]["quadratic"]["saturated"]["below"]
    assert below == {0.5: None, 0.1: None}


def test_softmax_claims():
    result = softmax.run()
    assert np.all(np.array(result["softmax"]) > 0) and result["sum"] == pytest.approx(1.0, abs=1e-15)
    assert result["shift_max_difference"] < 1e-12
    assert result["cost"] == pytest.approx(result["minus_log_a_y"])
    assert result["gradient_max_difference"] < 1e-8
    assert np.all(np.isnan(result["naive_at_large"]))
    np.testing.assert_allclose(result["stable_at_large"], result["softmax"])
    assert np.isfinite(result["log_sum_exp_at_large"])


def test_backprop_gradient_check_is_below_1e_minus_7_for_every_cost_and_layer():
    result = backprop.run()
    assert set(result["checks"]) == {"quadratic", "cross-entropy", "log-likelihood"}
    assert result["max_relative_error"] < 1e-7


def test_network_reaches_ninety_percent_with_the_defaults():
    result = network.run()
    assert result["data"] == "synthetic" and result["sizes"] == [784, 30, 10]
    assert len(result["epoch_accuracies"]) == 10
    assert result["test_accuracy"] >= 0.90


def test_network_trains_on_8x8_digits_with_64_inputs():
    result = network.run(size=8, epochs=3, train_size=3000)
    assert result["sizes"] == [64, 30, 10] and result["test_accuracy"] > 0.8


@pytest.fixture(scope="module")
def overfitting_result():
    return overfitting.run()


def test_overfitting_training_accuracy_rises_while_test_cost_turns_up(overfitting_result):
    plain = overfitting_result["runs"]["plain"]
    best = plain["best_test_cost_epoch"]
    assert best < overfitting_result["epochs"] / 2
    assert plain["test_cost"][-1] > 1.05 * min(plain["test_cost"])
    assert plain["train_accuracy"][-1] > plain["train_accuracy"][best - 1]
    assert plain["train_cost"][-1] < plain["train_cost"][best - 1] / 2


def test_overfitting_l2_narrows_the_gap_between_training_and_test_accuracy(overfitting_result):
    plain, l2 = overfitting_result["runs"]["plain"], overfitting_result["runs"]["l2"]
    assert l2["gap"] < plain["gap"] - 0.03
    assert l2["test_accuracy"][-1] > plain["test_accuracy"][-1]


def test_initialization_scaled_weights_saturate_fewer_neurons_and_learn_faster_early():
    inits = initialization.run(train_size=4000, test_size=1000, epochs=1)["inits"]
    large, scaled = inits["large"], inits["scaled"]
    assert scaled["z_std"] < large["z_std"] / 4
    assert large["saturated_fraction"] > 0.3 and scaled["saturated_fraction"] < 0.05
    assert scaled["epoch_accuracies"][0] > large["epoch_accuracies"][0] + 0.05


def test_vanishing_gradient_earlier_layers_get_smaller_gradients():
    result = vanishing_gradient.run(epochs=3)
    norms = result["initial_norms"]
    assert len(norms) == 4 and all(a < b for a, b in zip(norms, norms[1:]))
    assert norms[0] < norms[-1] / 20
    assert result["first_to_last_ratio"] < 0.1
    assert len(result["norms_by_epoch"]) == 4


def test_matrix_backprop_gives_the_same_gradients_as_the_loop():
    result = matrix_backprop.run(batch_sizes=(1, 7, 25), repeats=1)
    assert result["max_difference"] < 1e-12
    assert set(result["batches"]) == {1, 7, 25}


@pytest.mark.parametrize("demo, params", [
    (saturation, {}),
    (cross_entropy, {"epochs": 20}),
    (softmax, {"seed": 3}),
    (backprop, {"seed": 3}),
    (network, {"seed": 3, "epochs": 1, "train_size": 300}),
    (overfitting, {"seed": 3, "train_size": 100, "test_size": 100, "epochs": 3}),
    (initialization, {"seed": 3, "train_size": 200, "test_size": 100, "epochs": 1}),
    (vanishing_gradient, {"seed": 3, "train_size": 100, "epochs": 1}),
    (universality, {"neurons": (2, 8)}),
    (convolution, {"seed": 3, "train_size": 100, "test_size": 100, "epochs": 1}),
], ids=lambda value: getattr(value, "__name__", "")[3:] or None)
def test_the_same_seed_gives_the_same_numbers(demo, params):
    first, again = demo.run(**params), demo.run(**params)
    first.pop("seconds", None), again.pop("seconds", None)
    np.testing.assert_equal(first, again)  # NaN equals NaN here, as the naive softmax has some


def test_a_different_seed_gives_different_numbers():
    params = {"train_size": 300, "epochs": 1}
    assert network.run(seed=1, **params)["epoch_accuracies"] != network.run(seed=2, **params)["epoch_accuracies"]


def test_universality_the_error_shrinks_as_hidden_neurons_are_added():
    errors = universality.run()["errors"]
    assert list(errors) == [2, 4, 8, 16, 32, 64, 128, 256]
    means = [error["mean"] for error in errors.values()]
    assert all(later < earlier for earlier, later in zip(means, means[1:]))
    assert means[0] == pytest.approx(0.2242, abs=1e-4) and means[-1] == pytest.approx(0.0014, abs=1e-4)
    assert errors[256]["max"] < 0.01  # with 128 bumps the output is within 0.01 of f everywhere on [0, 1]
    assert means[0] / means[-1] > 100


def test_universality_a_bump_is_two_steps_and_a_steep_neuron_is_a_step():
    network = universality.bump_network(2, f=lambda x: np.full_like(x, 0.7))
    x = np.array([0.0, 0.3, 0.999])
    np.testing.assert_allclose(universality.network_output(network, x), 0.7, atol=1e-12)
    assert universality.step_width(1000.0) == pytest.approx(0.00439, abs=1e-5)


def test_universality_softer_steps_fit_worse_with_many_neurons():
    steep = universality.run(neurons=(64,), steepness=1000.0)["errors"][64]["mean"]
    soft = universality.run(neurons=(64,), steepness=50.0)["errors"][64]["mean"]  # steps 0.09 wide, bumps 0.03
    assert soft > 1.5 * steep


@pytest.fixture(scope="module")
def convolution_result():
    return convolution.run()


def test_convolution_shared_weights_need_45_times_fewer_parameters_than_a_dense_layer(convolution_result):
    assert convolution_result["book_conv_parameters"] == 520 == book.CONV_PARAMETERS
    assert convolution_result["book_dense_parameters"] == 23550 == book.FULLY_CONNECTED_PARAMETERS
    assert convolution_result["conv"]["parameters"] == 8 * 26 + 8 * 144 * 10 + 10 == 11738
    assert convolution_result["dense"]["parameters"] == 784 * 30 + 30 + 30 * 10 + 10


def test_convolution_a_shifted_image_gives_the_same_map_shifted(convolution_result):
    assert convolution_result["equivariance_difference"] < 1e-12
    assert convolution_result["pooled_correlation_after_shift"] > convolution_result["map_correlation_after_shift"] + 0.05


def test_convolution_the_tiny_conv_net_beats_the_fully_connected_one_with_half_the_parameters(convolution_result):
    conv, dense = convolution_result["conv"], convolution_result["dense"]
    assert conv["accuracies"][-1] >= 0.93
    assert conv["accuracies"][-1] > dense["accuracies"][-1] + 0.02
    assert conv["parameters"] < dense["parameters"] / 2


def test_convolution_feature_maps_are_one_kernel_at_every_patch():
    rng = np.random.default_rng(0)
    images, kernels, biases = rng.random((2, 28, 28)), rng.standard_normal((3, 5, 5)), rng.standard_normal(3)
    maps = convolution.feature_maps(images, kernels, biases)
    assert maps.shape == (2, 24, 24, 3)
    for n, i, j, k in [(0, 0, 0, 0), (1, 23, 23, 2), (1, 7, 19, 1)]:
        assert maps[n, i, j, k] == pytest.approx(np.sum(images[n, i:i + 5, j:j + 5] * kernels[k]) + biases[k])
    pooled = convolution.max_pool(maps)
    assert pooled.shape == (2, 12, 12, 3) and pooled[1, 3, 4, 2] == maps[1, 6:8, 8:10, 2].max()


def test_convolution_backprop_matches_central_differences():
    rng = np.random.default_rng(1)
    x, y = rng.random((3, 784)), one_hot(rng.integers(0, 10, 3))
    net = convolution.ConvNet(maps=2, seed=1)
    net.biases += 0.05  # keep z away from ReLU's kink, where the derivative is not defined
    for analytic, parameter in zip(net.backprop(x, y), net.parameters):
        numeric = numerical_gradient(lambda: net.cost(x, y), parameter)
        assert relative_error(analytic, numeric) < 1e-6


def test_network_prints_its_fully_connected_layers_and_23860_parameters():
    from nn import network

    result = network.run(epochs=1, train_size=200)
    assert result["layer_shapes"] == [((30, 784), (30,)), ((10, 30), (10,))]
    assert result["parameters"] == 23_860
