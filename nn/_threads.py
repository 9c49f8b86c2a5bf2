"""Why a demo runs with one BLAS thread, and how to ask the BLAS library how many threads it uses.

Why one: the demos are small, and on a 2-core machine a multi-threaded BLAS doubles their CPU use for no
gain, and under load its threads wait on each other, which turned matrix_backprop's timing comparison
upside down. OpenBLAS (NumPy's wheels), OpenMP builds and MKL read their thread count from the
environment once, when NumPy loads them, so the variables must be set before the first `import numpy`.

Where: `nn/__init__.py` sets them (`pin_blas_threads()`) only while `python -m nn.NAME` is locating
the demo (Python documents that sys.argv[0] is "-m" then), before any module of the demo imports NumPy.
A process that merely imports `nn` (recall reading `nn.DEMOS`, the tests) is left alone: setting the
variables there would also pin that process's NumPy and every child it starts. A value already in the
environment wins (setdefault), so `OPENBLAS_NUM_THREADS=2 python -m nn.network` still works.

`python -m nn._threads` prints what a demo process sees.
"""

import os

from nn import BLAS_THREAD_VARIABLES

# OpenBLAS's "how many threads" function, by build: NumPy's bundled scipy-openblas (64-bit ints), then plain.
_GET_NUM_THREADS = ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads")


def _loaded_openblas_paths():
    """Paths of the OpenBLAS libraries mapped into this process (Linux /proc), else those NumPy ships."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = {line.split(None, 5)[-1].strip() for line in maps if "openblas" in line.lower()}
        if paths:
            return sorted(paths)
    except OSError:
        pass
    import glob

    import numpy

    root = os.path.dirname(numpy.__file__)
    return sorted(glob.glob(os.path.join(root, os.pardir, "numpy.libs", "*openblas*"))
                  + glob.glob(os.path.join(root, ".dylibs", "*openblas*")))


def blas_threads():
    """The number of threads NumPy's OpenBLAS will use, asked of the library itself; None if unknown
    (another BLAS, or no library found). Loads NumPy."""
    import ctypes

    import numpy  # noqa: F401  (loads OpenBLAS, which reads the environment once, now)

    for path in _loaded_openblas_paths():
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _GET_NUM_THREADS:
            function = getattr(library, name, None)
            if function is not None:
                function.restype = ctypes.c_int
                return int(function())
    return None


def describe():
    """One line: the BLAS thread count and the variables that set it."""
    threads = blas_threads()
    settings = ", ".join(f"{name}={os.environ.get(name, 'unset')}" for name in BLAS_THREAD_VARIABLES)
    count = "unknown (not OpenBLAS)" if threads is None else str(threads)
    return f"BLAS threads: {count} ({settings})"


if __name__ == "__main__":
    print(describe())
