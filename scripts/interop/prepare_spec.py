"""Writes the copy of a spec that scripts/interop-check.sh trains on both engines: dropout
off (p = 0, so the 20 steps compare without random masks), data paths made absolute (the copy
lives elsewhere), and mnist replaced by fashion-mnist when mnist is not installed (both are
28×28 images in 10 classes). Prints what it changed."""

import os
import sys

import yaml


def main(source, target, have_mnist):
    with open(source) as f:
        spec = yaml.safe_load(f)
    notes = []
    for layer in spec["model"]["layers"]:
        if isinstance(layer, dict) and "dropout" in layer:
            layer["dropout"]["p"] = 0.0
            notes.append("dropout p=0")
    data = spec.get("data") or {}
    if data.get("dataset") == "mnist" and not have_mnist:
        data["dataset"] = "fashion-mnist"
        notes.append("mnist→fashion-mnist")
    base = os.path.dirname(os.path.abspath(source))
    for split in ("train", "test"):
        entry = data.get(split)
        if isinstance(entry, dict) and "hdf5" in entry:
            entry["hdf5"] = os.path.normpath(os.path.join(base, entry["hdf5"]))
        elif isinstance(entry, dict) and "idx" in entry:
            for key in ("images", "labels"):
                entry["idx"][key] = os.path.normpath(os.path.join(base, entry["idx"][key]))
    with open(target, "w") as f:
        yaml.safe_dump(spec, f, sort_keys=False)
    print(",".join(notes) or "-")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3] == "1")
