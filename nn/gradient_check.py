"""Central-difference derivatives: the independent check that an analytic gradient is right."""

import numpy as np

STEP = 1e-5  # balances the h^2 truncation error against float64 round-off, about 1e-11 each here


def numerical_gradient(cost, array, step=STEP):
    """d cost() / d array, nudging each entry of `array` in place by +-step and restoring it."""
    gradient = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + step
        above = cost()
        array[index] = original - step
        below = cost()
        array[index] = original
        gradient[index] = (above - below) / (2 * step)
    return gradient


def relative_error(analytic, numeric):
    """||analytic - numeric|| / (||analytic|| + ||numeric||): scale-free, 0 for a perfect match."""
    analytic, numeric = np.ravel(analytic), np.ravel(numeric)
    return float(np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric)))
