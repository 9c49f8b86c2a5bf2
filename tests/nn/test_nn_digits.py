"""Synthetic digits: right shapes and ranges, every class present, reproducible from the seed."""

import numpy as np
import pytest

from nn.digits import synthetic_digits, train_test


@pytest.mark.parametrize("size", [8, 28])
def test_images_have_the_size_and_range_asked_for(size):
    digits = synthetic_digits(300, size=size, seed=1)
    assert digits.images.shape == (300, size * size) and digits.images.dtype == np.float64
    assert digits.images.min() >= 0.0 and digits.images.max() <= 1.0
    assert set(digits.labels.tolist()) == set(range(10))
    assert len(digits) == 300 and len(digits[:10]) == 10


def test_same_seed_same_digits_other_seed_other_digits():
    first, again, other = synthetic_digits(50, seed=4), synthetic_digits(50, seed=4), synthetic_digits(50, seed=5)
    assert np.array_equal(first.images, again.images) and np.array_equal(first.labels, again.labels)
    assert not np.array_equal(first.images, other.images)


def test_each_digit_has_ink_and_samples_of_one_digit_vary():
    digits = synthetic_digits(500, seed=2)
    ink = digits.images.sum(axis=1)
    assert ink.min() > 20  # every image has a visible glyph on a 784-pixel canvas
    sevens = digits.images[digits.labels == 7]
    assert np.abs(sevens[0] - sevens[1]).sum() > 10


def test_class_means_differ_more_than_samples_within_a_class():
    digits = synthetic_digits(2000, seed=3)
    means = np.array([digits.images[digits.labels == d].mean(axis=0) for d in range(10)])
    between = np.mean([np.linalg.norm(means[i] - means[j]) for i in range(10) for j in range(i)])
    assert between > 2.0


def test_train_test_splits_disjoint_samples():
    training, test = train_test(100, 40, seed=0)
    assert len(training) == 100 and len(test) == 40
    assert not np.any(np.all(training.images[:, None, :] == test.images[None, :, :], axis=2))
