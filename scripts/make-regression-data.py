#!/usr/bin/env python3
"""Writes the regression examples' data, seeded, in the notes' HDF5 layout:

  specs/data/linreg.h5      Problem 2.6.3: y = θ·x + b + ε, x ~ N(0, I_5), ε ~ N(0, 0.001²),
                            θ = (1.5, -2.0, 0.5, 3.0, -1.0), b = 0.25; 1,000 train, 200 test.
  specs/data/sine.h5        Problem 3.7.5: y = sin(x), x ~ U[-π, π], 2,000 train; the test set
                            is the grid of 1,001 points -π, ..., π.

Run from the repository root: python3 scripts/make-regression-data.py (numpy and h5py;
`scripts/setup.sh --python` installs h5py). Running it again rewrites the same files, byte for
byte. The files are committed, so tests and `validate` find them in a fresh clone.
"""
import h5py
import numpy as np

THETA = np.array([1.5, -2.0, 0.5, 3.0, -1.0])
BIAS = 0.25


def write(path, x_train, y_train, x_test, y_test):
    with h5py.File(path, "w") as f:
        f["x_train"] = x_train.astype(np.float32)
        f["y_train"] = y_train.astype(np.float32)
        f["x_test"] = x_test.astype(np.float32)
        f["y_test"] = y_test.astype(np.float32)


def main():
    rng = np.random.default_rng(263)
    x = rng.standard_normal((1200, 5))
    y = x @ THETA + BIAS + 0.001 * rng.standard_normal(1200)
    write("specs/data/linreg.h5", x[:1000], y[:1000, None], x[1000:], y[1000:, None])

    rng = np.random.default_rng(375)
    x = rng.uniform(-np.pi, np.pi, (2000, 1))
    grid = np.linspace(-np.pi, np.pi, 1001)[:, None]
    write("specs/data/sine.h5", x, np.sin(x), grid, np.sin(grid))


if __name__ == "__main__":
    main()
