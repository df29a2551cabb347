/// checkpoint.py: dlspec's checkpoint format 4 (docs/checkpoints.md) in h5py, the same for
/// every spec: tensors under /weights, /optimizer/slot<k> and /state with Fletcher32, and
/// `content_sha256` computed as `Checkpoint.contentHash` computes it, so dlspec accepts what
/// train.py writes and train.py checks what dlspec wrote.
enum PyTorchCheckpointFile {
  static let text = #"""
    """dlspec checkpoints (format 4, docs/checkpoints.md) read and written with h5py: float32
    tensors under /weights, /optimizer/slot<k> and /state, each chunked with a Fletcher32
    checksum, and `content_sha256`, the SHA-256 of the content in dlspec's canonical order, so
    `dlspec evaluate`, `dlspec train --init-from` and `--resume` accept what train.py writes."""

    import hashlib
    import os
    import struct

    import h5py
    import numpy as np

    FORMAT_VERSION = 4
    READABLE_VERSIONS = (1, 2, 3, 4)
    # From this version the mid-epoch progress attributes are part of content_sha256.
    PROGRESS_HASHED_VERSION = 4
    # torch.optim state names of dlspec's optimizer slots, in slot order.
    SLOTS = {"sgd": ["momentum_buffer"], "rmsprop": ["square_avg", "momentum_buffer"],
             "adam": ["exp_avg", "exp_avg_sq"]}


    class CheckpointError(Exception):
        pass


    def named_tensors(model):
        """(layer, name, tensor) of every parameter, then every state tensor, in layer order:
        dlspec's /weights/<layer>/<name> and /state/<layer>/<name>."""
        weights, state = [], []
        for layer, module in model.named_children():
            for name, p in module.named_parameters(recurse=False):
                weights.append((layer, name, p))
            for name, b in module.named_buffers(recurse=False):
                state.append((layer, name, b))
        return weights, state


    def content_hash(tensors, attrs):
        """dlspec's Checkpoint.contentHash: tensors sorted by path byte-wise (`D`, path, NUL, rank,
        extents and count as uint64, float32 values), then the attributes in a fixed order, then
        (format 4) the progress attributes `attrs["progress"]` holds."""
        h = hashlib.sha256()
        for path in sorted(tensors, key=lambda p: p.encode()):
            a = np.ascontiguousarray(tensors[path], dtype="<f4")
            h.update(b"D" + path.encode() + b"\0")
            h.update(struct.pack("<Q", a.ndim))
            for d in a.shape:
                h.update(struct.pack("<Q", d))
            h.update(struct.pack("<Q", a.size))
            h.update(a.tobytes())

        def tag(name):
            h.update(b"A" + name.encode() + b"\0")

        def string(name, value):
            tag(name)
            b = value.encode()
            h.update(struct.pack("<Q", len(b)))
            h.update(b)

        def integer(name, value):
            tag(name)
            h.update(struct.pack("<q", int(value)))

        string("format", "dlspec-checkpoint")
        integer("format_version", attrs["format_version"])
        string("spec_hash", attrs["spec_hash"])
        if attrs.get("spec_canonical") is not None:
            string("spec_canonical", attrs["spec_canonical"])
        integer("epoch", attrs["epoch"])
        integer("step", attrs["step"])
        tag("rng_state")
        h.update(struct.pack("<Q", len(attrs["rng_state"])))
        for w in attrs["rng_state"]:
            h.update(struct.pack("<Q", int(w) & ((1 << 64) - 1)))
        string("optimizer", attrs["optimizer"])
        if attrs.get("growth_insertions", 0) > 0:
            integer("growth_insertions", attrs["growth_insertions"])
        progress = attrs.get("progress")
        if attrs["format_version"] >= PROGRESS_HASHED_VERSION and progress is not None:

            def doubles(name, values):
                tag(name)
                h.update(struct.pack("<Q", len(values)))
                for v in values:
                    h.update(struct.pack("<d", float(v)))

            integer("epoch_batch", progress["epoch_batch"])
            if progress["epoch_batch"] > 0:
                tag("epoch_loss_sum")
                h.update(struct.pack("<d", float(progress["epoch_loss_sum"])))
                integer("epoch_correct", progress["epoch_correct"])
                integer("epoch_samples", progress["epoch_samples"])
                doubles("epoch_grad_norm_sums", progress["epoch_grad_norm_sums"])
            if len(progress.get("loss_watch", [])):
                doubles("loss_watch", progress["loss_watch"])
        return h.hexdigest()


    def save(path, model, optimizer, optimizer_name, epoch, step, spec_hash, spec_canonical,
             rng_state, loss_watch=None):
        """Writes a format 4 checkpoint of `model` (and `optimizer`'s slots) to `path`, through
        `<path>.tmp` and a rename, so an interrupted save leaves the previous file intact."""
        weights, state = named_tensors(model)
        tensors = {}
        for layer, name, p in weights:
            tensors[f"/weights/{layer}/{name}"] = p.detach().cpu().numpy()
        for k, slot in enumerate(SLOTS[optimizer_name]):
            if slot == "momentum_buffer" and not optimizer.defaults.get("momentum"):
                continue
            for layer, name, p in weights:
                value = optimizer.state.get(p, {}).get(slot)
                tensors[f"/optimizer/slot{k}/{layer}/{name}"] = (
                    np.zeros(tuple(p.shape), np.float32) if value is None
                    else value.detach().cpu().numpy())
        for layer, name, b in state:
            tensors[f"/state/{layer}/{name}"] = b.detach().cpu().numpy()
        progress = {"epoch_batch": 0, "loss_watch": list(loss_watch or [])}
        attrs = {"format_version": FORMAT_VERSION, "spec_hash": spec_hash,
                 "spec_canonical": spec_canonical, "epoch": epoch, "step": step,
                 "rng_state": rng_state, "optimizer": optimizer_name, "progress": progress}
        digest = content_hash(tensors, attrs)
        temporary = path + ".tmp"
        with h5py.File(temporary, "w") as f:
            f.attrs["format"] = "dlspec-checkpoint"
            for key in ("format_version", "epoch", "step"):
                f.attrs[key] = np.int64(attrs[key])
            f.attrs["spec_hash"] = spec_hash
            f.attrs["spec_canonical"] = spec_canonical
            f.attrs["rng_state"] = np.array(
                [int(w) & ((1 << 64) - 1) for w in rng_state], dtype=np.uint64).view(np.int64)
            f.attrs["optimizer"] = optimizer_name
            f.attrs["epoch_batch"] = np.int64(0)
            if loss_watch:
                f.attrs["loss_watch"] = np.array(loss_watch, dtype=np.float64)
            f.attrs["content_sha256"] = digest
            for name, value in tensors.items():
                f.create_dataset(name, data=np.ascontiguousarray(value, np.float32), fletcher32=True)
        os.replace(temporary, path)


    def read(path):
        """The tensors and attributes of a checkpoint, after dlspec's checks: the format version,
        Fletcher32 on every dataset (format 3 and later), finite values, and the content hash."""
        try:
            f = h5py.File(path, "r")
        except OSError as error:
            raise CheckpointError(f"cannot read checkpoint '{path}': {error}")
        with f:
            version = int(f.attrs.get("format_version", -1))
            if version not in READABLE_VERSIONS:
                raise CheckpointError(f"'{path}' has format version {version}; this reads 1-3 "
                                      "(is it a dlspec checkpoint?)")
            tensors = {}

            def visit(name, obj):
                if isinstance(obj, h5py.Dataset) and name.split("/")[0] in (
                        "weights", "optimizer", "state"):
                    if version >= 3 and obj.size and not obj.fletcher32:
                        raise CheckpointError(f"'{path}': dataset '/{name}' carries no Fletcher32 "
                                              "checksum")
                    value = obj[()].astype(np.float32)
                    if not np.all(np.isfinite(value)):
                        raise CheckpointError(f"'{path}': '/{name}' holds a non-finite value")
                    tensors["/" + name] = value

            f.visititems(visit)

            def text(key):
                value = f.attrs[key]
                return value.decode() if isinstance(value, bytes) else str(value)

            try:
                attrs = {"format_version": version, "spec_hash": text("spec_hash"),
                         "spec_canonical": text("spec_canonical") if "spec_canonical" in f.attrs
                         else None,
                         "epoch": int(f.attrs["epoch"]), "step": int(f.attrs["step"]),
                         "rng_state": [int(w) for w in
                                       np.asarray(f.attrs["rng_state"]).view(np.uint64)],
                         "optimizer": text("optimizer") if "optimizer" in f.attrs else "",
                         "growth_insertions": int(f.attrs.get("growth_insertions", 0))}
                if "epoch_batch" in f.attrs:
                    keys = ("epoch_batch", "epoch_loss_sum", "epoch_correct", "epoch_samples",
                            "epoch_grad_norm_sums", "loss_watch")
                    attrs["progress"] = {k: f.attrs[k] for k in keys if k in f.attrs}
                    attrs["progress"]["epoch_batch"] = int(f.attrs["epoch_batch"])
                    for k in ("epoch_grad_norm_sums", "loss_watch"):
                        if k in attrs["progress"]:
                            attrs["progress"][k] = np.atleast_1d(attrs["progress"][k]).tolist()
            except KeyError as error:
                raise CheckpointError(f"cannot read checkpoint '{path}': attribute {error} is "
                                      "missing")
            if version >= 3:
                if "content_sha256" not in f.attrs:
                    raise CheckpointError(f"checkpoint '{path}' is corrupt: attribute "
                                          "'content_sha256' is missing (format 3 and later require it)")
                stored = text("content_sha256")
                actual = content_hash(tensors, attrs)
                if stored != actual:
                    raise CheckpointError(f"checkpoint '{path}' is corrupt: content_sha256 is "
                                          f"{stored[:16]}…, the content hashes to {actual[:16]}…")
        return tensors, attrs


    def load(path, model):
        """Loads a checkpoint's weights and layer state into `model` (weights only, as dlspec's
        --init-from), refusing one whose layers or shapes differ, naming what differs."""
        import torch

        tensors, attrs = read(path)
        weights, state = named_tensors(model)
        expected = set()
        for group, entries in (("weights", weights), ("state", state)):
            for layer, name, t in entries:
                key = f"/{group}/{layer}/{name}"
                expected.add(layer)
                if key not in tensors:
                    raise CheckpointError(f"checkpoint '{path}' does not fit the spec: it has no "
                                          f"{key} (expected shape {list(t.shape)})")
                if tuple(tensors[key].shape) != tuple(t.shape):
                    raise CheckpointError(
                        f"checkpoint '{path}' does not fit the spec: layer {layer} {name} has shape "
                        f"{list(tensors[key].shape)} in the checkpoint, the spec expects "
                        f"{list(t.shape)}")
                with torch.no_grad():
                    t.copy_(torch.from_numpy(tensors[key]))
        extra = sorted({k.split("/")[2] for k in tensors if k.startswith("/weights/")} - expected)
        if extra:
            raise CheckpointError(f"checkpoint '{path}' does not fit the spec: it has weights for "
                                  f"{', '.join(extra)}, which the spec's model does not have")
        return attrs

    """#
}
