"""Issue 13's demos: the number or curve each one prints, pinned for the default seed."""

import pytest

from nn import learning_rates


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
