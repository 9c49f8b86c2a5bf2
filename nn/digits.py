"""Synthetic handwritten digits, so every demo runs offline in seconds without downloading MNIST.

Each digit is a template of pen strokes (lines and elliptic arcs). A sample wobbles the strokes with a
smooth random displacement, applies a random affine map (rotation, shear, scale, shift), sometimes adds
a stray stroke, draws the pen as Gaussian ink at a random width, and adds pixel noise. Rendering uses
the separable Gaussian: the image is Gy^T Gx, one small matrix product per sample, batched.
"""

from dataclasses import dataclass

import numpy as np

POINTS_PER_GLYPH = 96
STRAY_POINTS = 10
GLYPH_SPAN = 20 / 28  # MNIST fits each digit in a 20x20 box centred in 28x28


@dataclass(frozen=True)
class Digits:
    """images: (n, size*size) floats in [0, 1], one image per row; labels: (n,) ints 0..9."""

    images: np.ndarray
    labels: np.ndarray

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, rows):
        return Digits(self.images[rows], self.labels[rows])


def _arc(cx, cy, rx, ry, start_deg, end_deg):
    """Points on an elliptic arc; angles in degrees, y grows downwards, so 90 is the bottom."""
    angles = np.radians(np.linspace(start_deg, end_deg, 24))
    return np.column_stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)])


def _polyline(*points):
    return np.array(points, dtype=float)


STROKES = {  # digit -> its variants, each a list of strokes
    0: [[_arc(0.5, 0.5, 0.27, 0.42, 0, 360)], [_arc(0.5, 0.5, 0.3, 0.4, -60, 300)]],
    1: [[_polyline((0.34, 0.24), (0.52, 0.08), (0.52, 0.92))], [_polyline((0.5, 0.08), (0.5, 0.92))]],
    2: [[np.vstack([_arc(0.5, 0.3, 0.25, 0.22, 190, 400), _polyline((0.24, 0.92), (0.8, 0.92))])],
        [np.vstack([_arc(0.5, 0.32, 0.25, 0.24, 200, 380), _arc(0.42, 0.84, 0.12, 0.08, 290, 470),
                    _polyline((0.5, 0.9), (0.8, 0.9))])]],
    3: [[_arc(0.48, 0.29, 0.24, 0.21, 200, 450), _arc(0.48, 0.7, 0.27, 0.22, 270, 520)],
        [np.vstack([_polyline((0.24, 0.08), (0.74, 0.08), (0.46, 0.44)), _arc(0.48, 0.67, 0.27, 0.24, 270, 520)])]],
    4: [[_polyline((0.64, 0.92), (0.64, 0.08), (0.2, 0.66), (0.82, 0.66))],
        [_polyline((0.26, 0.08), (0.24, 0.56), (0.8, 0.56)), _polyline((0.66, 0.2), (0.66, 0.92))]],
    5: [[np.vstack([_polyline((0.76, 0.08), (0.32, 0.08), (0.28, 0.45)), _arc(0.48, 0.66, 0.27, 0.26, 220, 500)])]],
    6: [[np.vstack([_polyline((0.7, 0.08), (0.4, 0.3), (0.26, 0.62)), _arc(0.5, 0.68, 0.24, 0.24, 180, 540)])],
        [np.vstack([_arc(0.62, 0.5, 0.36, 0.42, 260, 180), _arc(0.5, 0.7, 0.24, 0.22, 180, 520)])]],
    7: [[_polyline((0.2, 0.08), (0.8, 0.08), (0.42, 0.92))],
        [_polyline((0.2, 0.08), (0.8, 0.08), (0.46, 0.92)), _polyline((0.36, 0.5), (0.76, 0.5))]],
    8: [[_arc(0.5, 0.28, 0.2, 0.2, 0, 360), _arc(0.5, 0.7, 0.25, 0.22, 0, 360)]],
    9: [[np.vstack([_arc(0.5, 0.32, 0.24, 0.24, 0, 360), _polyline((0.74, 0.32), (0.6, 0.92))])],
        [np.vstack([_arc(0.5, 0.32, 0.24, 0.24, 0, 360), _arc(0.4, 0.32, 0.34, 0.6, 0, 100)])]],
}


def _even_points(strokes, count):
    """`count` points spread evenly by length over all strokes, centred on (0, 0); and their spacing."""
    segments = [(a, b) for stroke in strokes for a, b in zip(stroke[:-1], stroke[1:])]
    lengths = np.array([np.linalg.norm(b - a) for a, b in segments])
    positions = (np.arange(count) + 0.5) * lengths.sum() / count
    ends = np.cumsum(lengths)
    index = np.minimum(np.searchsorted(ends, positions), len(segments) - 1)
    starts = np.array([a for a, _ in segments])[index]
    steps = np.array([b - a for a, b in segments])[index]
    fraction = ((positions - (ends - lengths)[index]) / lengths[index])[:, None]
    return starts + fraction * steps - 0.5, lengths.sum() / count


VARIANT_DIGITS = np.array([digit for digit, variants in STROKES.items() for _ in variants])
TEMPLATES, SPACINGS = map(np.array, zip(*(_even_points(strokes, POINTS_PER_GLYPH)
                                          for variants in STROKES.values() for strokes in variants)))


def _random_affine(rng, n):
    """Rotation, shear and anisotropic scale as (n, 2, 2) matrices, plus their mean scale factor."""
    angle = rng.normal(0.0, 0.2, n)
    shear = rng.normal(0.0, 0.25, n)
    scale = rng.uniform(0.72, 1.12, (n, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    rotation = np.stack([np.stack([cos, -sin], -1), np.stack([sin, cos], -1)], -2)
    shear_matrix = np.stack([np.stack([np.ones(n), shear], -1), np.stack([np.zeros(n), np.ones(n)], -1)], -2)
    return rotation @ shear_matrix * scale[:, None, :], scale.mean(axis=1)


def _stray_strokes(rng, n):
    """A short random pen stroke for about a third of the samples; weight 0 hides it for the rest."""
    start = rng.uniform(-0.45, 0.45, (n, 1, 2))
    direction = rng.normal(0.0, 0.3, (n, 1, 2))
    points = start + np.linspace(0.0, 1.0, STRAY_POINTS)[None, :, None] * direction
    present = rng.random(n) < 0.35
    return points, np.repeat(present[:, None], STRAY_POINTS, axis=1).astype(float)


def _render(variants, size, rng):
    """Rasterise one batch of samples (template indices) at `size` pixels square."""
    n = len(variants)
    glyph = TEMPLATES[variants]
    phase = rng.uniform(0, 2 * np.pi, (n, 1, 2))
    frequency = rng.uniform(2.0, 6.0, (n, 1, 2))
    glyph = glyph + rng.uniform(0.0, 0.06, (n, 1, 2)) * np.sin(frequency * glyph[:, :, ::-1] + phase)
    stray, stray_weight = _stray_strokes(rng, n)
    points = np.concatenate([glyph, stray], axis=1)
    weights = np.concatenate([np.ones((n, POINTS_PER_GLYPH)), stray_weight], axis=1).astype(np.float32)
    affine, scale = _random_affine(rng, n)
    points = points @ affine.transpose(0, 2, 1) + rng.normal(0.0, 0.04, (n, 1, 2))
    pixels = ((points * GLYPH_SPAN + 0.5) * size).astype(np.float32)  # float32 halves the cost of exp
    pen = rng.uniform(0.024, 0.038, (n, 1, 1)).astype(np.float32) * size
    centres = np.arange(size, dtype=np.float32) + 0.5  # float32 too, or every product below is float64
    across = np.exp(-((pixels[:, :, 0:1] - centres) ** 2) / (2 * pen ** 2))
    down = np.exp(-((pixels[:, :, 1:2] - centres) ** 2) / (2 * pen ** 2)) * weights[:, :, None]
    ink = down.transpose(0, 2, 1) @ across
    line_peak = (pen[:, :, 0] * np.sqrt(2 * np.pi)
                 / (SPACINGS[variants] * scale * GLYPH_SPAN * size)[:, None]).astype(np.float32)
    return 1.0 - np.exp(-2.5 * ink / line_peak[:, :, None])


def synthetic_digits(n, size=28, seed=0, noise=0.1, batch=1000):
    """n random digit images of size x size pixels (8 or 28 are the useful sizes), variants drawn uniformly.

    Small sizes are drawn at about 28 pixels and averaged down, so strokes stay smooth instead of aliased.
    """
    rng = np.random.default_rng(seed)
    variants = rng.integers(0, len(TEMPLATES), n)
    factor = max(1, round(28 / size))
    images = np.concatenate([_render(variants[i:i + batch], size * factor, rng) for i in range(0, n, batch)])
    images = images.reshape(n, size, factor, size, factor).mean(axis=(2, 4))
    images += rng.standard_normal(images.shape, dtype=np.float32) * rng.uniform(0.0, noise, (n, 1, 1))
    return Digits(np.clip(images, 0.0, 1.0).reshape(n, size * size).astype(np.float64), VARIANT_DIGITS[variants])


def train_test(n_train, n_test, size=28, seed=0):
    """A training set and a test set drawn independently from the same generator."""
    data = synthetic_digits(n_train + n_test, size, seed)
    return data[:n_train], data[n_train:]
