"""Writes the hostile fixture files of this directory (docs/reliability.md, "Hardening").

Each file is small on disk but claims something absurd; dlspec must refuse each with a clear
error before allocating. They also seed the fuzz targets. Run: python3 make.py (needs h5py).
"""
import struct

import h5py
import numpy as np


def idx(name, dims, payload=b""):
    with open(name, "wb") as f:
        f.write(bytes([0, 0, 0x08, len(dims)]))
        for d in dims:
            f.write(struct.pack(">I", d))
        f.write(payload)


# 2^33 pixels claimed by a 28-byte header.
idx("idx-claims-2^33-pixels.idx", [2048, 2048, 2048])
# 2^31 pixels claimed, 156 KB present (the file the adversarial pass used).
idx("idx-claims-2^31-pixels.idx", [32768, 256, 256], bytes(156 * 1024))

# x_train of shape (2^31, 784), chunked and never written: a few KB on disk.
with h5py.File("hdf5-x-train-claims-2^31-rows.h5", "w") as f:
    f.create_dataset("x_train", shape=(2**31, 784), dtype="f4", chunks=(1, 784),
                     compression="gzip")
    f.create_dataset("y_train", data=np.zeros(4, dtype="i8"))

# A checkpoint-shaped file whose only weight claims (2^31, 784) floats, never written.
with h5py.File("checkpoint-weight-claims-2^31-rows.h5", "w") as f:
    f.attrs["format"] = "dlspec-checkpoint"
    f.attrs["format_version"] = np.int64(1)
    f.create_dataset("weights/dense_1/weight", shape=(2**31, 784), dtype="f4",
                     chunks=(1, 784))

# float16 features (HDF5 converts them to float32) and a uint64 label of 2^64 - 1.
with h5py.File("hdf5-float16-and-uint64-label.h5", "w") as f:
    f.create_dataset("x_train", data=np.full((4, 3), 0.5, dtype="f2"))
    f.create_dataset("y_train", data=np.array([0, 1, 2**64 - 1, 1], dtype="u8"))
    f.create_dataset("x_test", data=np.full((2, 3), 0.25, dtype="f2"))
    f.create_dataset("y_test", data=np.array([0, 1], dtype="u8"))

# One NaN in the test set (sample 1, feature 2), and all-zero training data.
with h5py.File("hdf5-nan-in-test.h5", "w") as f:
    f.create_dataset("x_train", data=np.zeros((4, 3), dtype="f4"))
    f.create_dataset("y_train", data=np.array([0, 1, 0, 1], dtype="i8"))
    x = np.full((2, 3), 0.5, dtype="f4")
    x[1, 2] = np.nan
    f.create_dataset("x_test", data=x)
    f.create_dataset("y_test", data=np.array([0, 1], dtype="i8"))

# A spec with a UTF-8 byte-order mark (accepted; columns unchanged).
with open("spec-with-bom.yaml", "wb") as f:
    f.write(b"\xef\xbb\xbfdlspec: 1\nmodel:\n  input: [4]\n  layers:\n    - dense: {units: 3}\n"
            b"loss: mse\n")
