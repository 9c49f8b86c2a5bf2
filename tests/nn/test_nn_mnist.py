"""The MNIST idx reader, on small idx files the tests write (gzipped and plain, both file spellings)."""

import gzip
import struct

import numpy as np
import pytest

from nn import network
from nn.digits import synthetic_digits
from nn.mnist import load_mnist, read_idx


def idx_bytes(array):
    """An idx file's bytes for a uint8 array: magic (0, 0, 0x08, ndim), big-endian sizes, data."""
    return bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_mnist(directory, train_count=200, test_count=50, compress=False, dotted=False):
    """Synthetic 28x28 digits written as the four MNIST files; returns the pixels and labels written."""
    written = {}
    for prefix, count, seed in (("train", train_count, 1), ("t10k", test_count, 2)):
        digits = synthetic_digits(count, seed=seed)
        images = np.round(digits.images * 255).astype(np.uint8).reshape(count, 28, 28)
        labels = digits.labels.astype(np.uint8)
        for kind, dims, array in (("images", 3, images), ("labels", 1, labels)):
            name = f"{prefix}-{kind}{'.' if dotted else '-'}idx{dims}-ubyte"
            data = idx_bytes(array)
            if compress:
                (directory / f"{name}.gz").write_bytes(gzip.compress(data))
            else:
                (directory / name).write_bytes(data)
        written[prefix] = (images, labels)
    return written


@pytest.mark.parametrize("compress", [False, True], ids=["plain", "gzip"])
def test_load_mnist_reads_what_was_written(tmp_path, compress):
    written = write_mnist(tmp_path, compress=compress)
    training, test = load_mnist(tmp_path)
    for digits, (images, labels) in ((training, written["train"]), (test, written["t10k"])):
        assert digits.images.shape == (len(labels), 784)
        np.testing.assert_allclose(digits.images, images.reshape(len(labels), 784) / 255.0)
        np.testing.assert_array_equal(digits.labels, labels)
        assert digits.images.min() >= 0.0 and digits.images.max() <= 1.0


def test_the_dotted_file_spelling_is_found_too(tmp_path):
    write_mnist(tmp_path, train_count=20, test_count=10, dotted=True)
    training, test = load_mnist(tmp_path)
    assert len(training) == 20 and len(test) == 10


def test_read_idx_handles_other_types_and_dimensions(tmp_path):
    array = np.arange(24, dtype=">i4").reshape(2, 3, 4)
    path = tmp_path / "ints.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 3]) + struct.pack(">3I", 2, 3, 4) + array.tobytes())
    np.testing.assert_array_equal(read_idx(path), array)


def test_truncated_and_foreign_files_are_refused_with_their_path(tmp_path):
    truncated = tmp_path / "short"
    truncated.write_bytes(idx_bytes(np.zeros((4, 28, 28), np.uint8))[:-10])
    with pytest.raises(ValueError, match="short"):
        read_idx(truncated)
    foreign = tmp_path / "foreign"
    foreign.write_bytes(b"PK\x03\x04 not an idx file")
    with pytest.raises(ValueError, match="not an idx file"):
        read_idx(foreign)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_mismatched_image_and_label_counts_are_refused(tmp_path):
    write_mnist(tmp_path, train_count=20, test_count=10)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(19, np.uint8)))
    with pytest.raises(ValueError, match="do not match"):
        load_mnist(tmp_path)


def test_the_network_demo_trains_on_mnist_files(tmp_path):
    write_mnist(tmp_path, train_count=600, test_count=100, compress=True)
    result = network.run(mnist=str(tmp_path), epochs=2)
    assert result["data"] == "mnist" and result["train_size"] == 600 and result["test_size"] == 100
    assert result["sizes"] == [784, 30, 10]
    assert result["test_accuracy"] > 0.3  # far above chance after two epochs on 600 digits
    assert network.run(mnist=str(tmp_path), epochs=1, train_size=100)["train_size"] == 100
