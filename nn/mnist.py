"""Reader for the real MNIST files (idx format, gzipped or plain) for users who have them on disk.

Nothing is downloaded: `python -m nn.network --mnist DIR` reads DIR/train-images-idx3-ubyte[.gz] and
its three siblings (the `train-images.idx3-ubyte` spelling works too).
"""

import gzip
from pathlib import Path

import numpy as np

from nn.digits import Digits

GZIP_MAGIC = b"\x1f\x8b"
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """An idx file as an array: 2 zero bytes, a type code, the number of dimensions, big-endian sizes, data."""
    raw = Path(path).read_bytes()
    if raw[:2] == GZIP_MAGIC:
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00" or raw[2] not in IDX_TYPES:
        raise ValueError(f"{path}: not an idx file")
    dims = raw[3]
    shape = tuple(int(size) for size in np.frombuffer(raw, ">u4", count=dims, offset=4))
    dtype = np.dtype(IDX_TYPES[raw[2]])
    data = raw[4 + 4 * dims:]
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) != expected:
        raise ValueError(f"{path}: expected {expected} bytes of data for shape {shape}, found {len(data)}")
    return np.frombuffer(data, dtype).reshape(shape)


def _find(directory, prefix, kind, dims):
    names = [f"{prefix}-{kind}-idx{dims}-ubyte", f"{prefix}-{kind}.idx{dims}-ubyte"]
    for name in names:
        for candidate in (directory / name, directory / f"{name}.gz"):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(f"{directory}: no {names[0]} (or .gz) found")


def _load_split(directory, prefix):
    images = read_idx(_find(directory, prefix, "images", 3))
    labels = read_idx(_find(directory, prefix, "labels", 1))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"{directory}: {prefix} images {images.shape} do not match labels {labels.shape}")
    return Digits(images.reshape(len(images), -1) / 255.0, labels.astype(np.int64))


def load_mnist(directory):
    """(training, test) Digits from the four MNIST idx files in `directory`; pixels scaled to [0, 1]."""
    directory = Path(directory)
    return _load_split(directory, "train"), _load_split(directory, "t10k")
