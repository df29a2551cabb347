"""Compares a dlspec run with a train.py run of the same spec (scripts/interop-check.sh):
the per-step losses (relative |a − b| / |b| per step) and the final weights and layer state
(per tensor max |a − b| / max |b|, b being dlspec's). Prints one JSON object."""

import json
import sys

import h5py
import numpy as np


def tensors(path):
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and name.split("/")[0] in ("weights", "state"):
                out[name] = obj[()].astype(np.float64)
        f.visititems(visit)
    return out


def main(dl_losses, pt_losses, dl_checkpoint, pt_checkpoint):
    a = np.loadtxt(dl_losses, ndmin=1)
    b = np.loadtxt(pt_losses, ndmin=1)
    result = {"steps_dlspec": int(a.size), "steps_torch": int(b.size)}
    n = min(a.size, b.size)
    rel = np.abs(b[:n] - a[:n]) / np.maximum(np.abs(a[:n]), 1e-30)
    result["first_loss_rel"] = float(rel[0]) if n else None
    result["loss_rel"] = float(rel.max()) if n else None
    dl, pt = tensors(dl_checkpoint), tensors(pt_checkpoint)
    worst, worst_name = 0.0, None
    for name, reference in dl.items():
        if name not in pt or pt[name].shape != reference.shape:
            worst, worst_name = float("inf"), name
            break
        scale = np.max(np.abs(reference)) or 1.0
        r = float(np.max(np.abs(pt[name] - reference)) / scale)
        if r > worst:
            worst, worst_name = r, name
    result["weights_rel"] = worst
    result["worst_tensor"] = worst_name
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:5])
