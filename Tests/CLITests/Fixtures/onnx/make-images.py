"""Writes images.h5 (next to this file): 96 training and 32 test images [2, 10, 10] in 4
classes, for every-layer-kind.yaml. Each class brightens one quadrant, so a few epochs move the
weights and batchnorm's running statistics away from their initial values. Seeded: running it
again writes the same values. Needs numpy and h5py."""
import os

import h5py
import numpy as np

rng = np.random.default_rng(11)


def split(n):
    y = rng.integers(0, 4, size=n)
    x = rng.normal(0.0, 0.5, size=(n, 2, 10, 10)).astype(np.float32)
    for i, c in enumerate(y):
        r, q = divmod(int(c), 2)
        x[i, :, 5 * r : 5 * r + 5, 5 * q : 5 * q + 5] += 1.5
    return x, y.astype(np.int64)


path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "images.h5")
with h5py.File(path, "w") as f:
    for name, n in (("train", 96), ("test", 32)):
        x, y = split(n)
        f.create_dataset(f"x_{name}", data=x)
        f.create_dataset(f"y_{name}", data=y)
