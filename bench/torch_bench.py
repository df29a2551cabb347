#!/usr/bin/env python3
"""PyTorch (and numpy) side of dlspec's side-by-side benchmark (bench/compare.sh).

Three modes:

  torch_bench.py --spec specs/mlp.yaml --threads 2 [--batch 100] [--steps 50] [--warmup 5] [--json]
      Builds the spec's network in PyTorch and times, on synthetic data (random inputs, random
      labels), training steps (forward + loss + backward + optimizer step) and evaluation
      (forward only, model.eval(), torch.no_grad()). Prints samples/s.

  torch_bench.py --sgemm-peak --threads 1,2 [--json]
      SGEMM GFLOP/s of square 1024 float32 products with numpy.dot, one fresh subprocess per
      thread count (OPENBLAS_NUM_THREADS/OMP_NUM_THREADS/MKL_NUM_THREADS are set before numpy
      is imported), and which BLAS numpy uses.

  torch_bench.py --numpy-logreg [--threads 1] [--samples 20000] [--json]
      The notes' single-sample SGD loop for logistic regression 784 -> 10 in numpy:
      for x, y: z = W@x + b; p = softmax(z); W -= lr*outer(p - e_y, x); b -= lr*(p - e_y).

The spec is read with PyYAML; the layer vocabulary is dlspec's (docs/spec-language.md), and
each kind's PyTorch module comes from the table bench/torch_kinds.json, not from code here.
Under `loss: cross_entropy` a final softmax/log_softmax is dropped and nn.CrossEntropyLoss runs on
the logits, as dlspec fuses the pair; a model without a final softmax is read as logits too (as
dlspec does). mse and l1 compare against one-hot targets, summed over classes and averaged over
the batch (DLRuntime/Loss.swift).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time

SGEMM_SIZE = 1024


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--spec", help="spec YAML to build in PyTorch")
    mode.add_argument("--sgemm-peak", action="store_true",
                      help="numpy SGEMM GFLOP/s of square 1024 products, per thread count")
    mode.add_argument("--numpy-logreg", action="store_true",
                      help="the notes' single-sample SGD numpy loop, logistic regression 784->10")
    mode.add_argument("--sgemm-child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--threads", default="1",
                    help="threads (an integer; --sgemm-peak also takes a list such as 1,2)")
    ap.add_argument("--batch", type=int, help="batch size (default: the spec's train.batch_size)")
    ap.add_argument("--steps", type=int, default=50, help="timed steps (default 50)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed warm-up steps (default 5)")
    ap.add_argument("--samples", type=int, default=20000,
                    help="--numpy-logreg: timed samples (default 20000)")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                    help="--numpy-logreg: element type (default float32, like dlspec)")
    ap.add_argument("--end-to-end", metavar="DIR",
                    help="with --spec: one epoch on the real data in DIR (the IDX .gz files), "
                         "through a DataLoader, timed as a whole")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    try:
        args.thread_list = [int(t) for t in str(args.threads).split(",") if t.strip()]
    except ValueError:
        ap.error("--threads: give an integer or a comma-separated list of integers")
    if not args.thread_list or min(args.thread_list) < 1:
        ap.error("--threads must be at least 1")
    if len(args.thread_list) > 1 and not args.sgemm_peak:
        ap.error("a list of thread counts is only for --sgemm-peak")
    if args.batch is not None and args.batch < 1:
        ap.error("--batch must be at least 1")
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be >= 1 and --warmup >= 0")
    return args


def set_blas_threads(t):
    """Must run before numpy/torch are imported: BLAS libraries read these at load time."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(t)


# ---------------------------------------------------------------------------------------------
# BLAS identification (numpy)

def numpy_blas_info():
    """Which BLAS numpy runs: threadpoolctl when installed, else numpy.show_config()."""
    import numpy as np
    info = {}
    try:
        from threadpoolctl import threadpool_info
        for p in threadpool_info():
            if p.get("user_api") == "blas":
                info = {k: p.get(k) for k in
                        ("internal_api", "version", "architecture", "num_threads", "filepath")}
                info["source"] = "threadpoolctl"
                break
    except ImportError:
        pass
    if not info:
        try:
            cfg = np.show_config(mode="dicts")  # numpy >= 1.25
            blas = cfg.get("Build Dependencies", {}).get("blas", {})
            info = {"internal_api": blas.get("name"), "version": blas.get("version"),
                    "source": "numpy.show_config"}
        except TypeError:
            info = {"internal_api": "unknown (numpy.show_config() has no dict mode)"}
    return info


def blas_label(info):
    parts = [str(info.get("internal_api") or "?")]
    if info.get("version"):
        parts.append(str(info["version"]))
    if info.get("architecture"):
        parts.append("core " + str(info["architecture"]))
    return " ".join(parts)


# ---------------------------------------------------------------------------------------------
# --sgemm-peak

def sgemm_child(args):
    import numpy as np
    n = SGEMM_SIZE
    rng = np.random.default_rng(args.seed)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    c = np.empty((n, n), dtype=np.float32)
    for _ in range(3):
        np.dot(a, b, out=c)
    repeats = 10
    best = float("inf")
    for _ in range(3):  # best of 3 rounds of 10 products
        t0 = time.perf_counter()
        for _ in range(repeats):
            np.dot(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / repeats)
    result = {"threads": args.thread_list[0], "size": n,
              "sgemm_gflops": 2.0 * n ** 3 / best / 1e9,
              "numpy_version": np.__version__, "blas": numpy_blas_info(),
              "openblas_coretype_env": os.environ.get("OPENBLAS_CORETYPE")}
    print(json.dumps(result))


def sgemm_peak(args):
    results = []
    for t in args.thread_list:
        env = dict(os.environ)
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = str(t)
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--sgemm-child",
                              "--threads", str(t), "--seed", str(args.seed)],
                             env=env, check=True, capture_output=True, text=True).stdout
        results.append(json.loads(out.strip().splitlines()[-1]))
    if args.json:
        print(json.dumps(results[0] if len(results) == 1 else results))
        return
    for r in results:
        print(f"numpy SGEMM {r['size']}^3: {r['sgemm_gflops']:.1f} GFLOP/s on {r['threads']} "
              f"thread(s)  [numpy {r['numpy_version']}, BLAS {blas_label(r['blas'])}]")


# ---------------------------------------------------------------------------------------------
# --numpy-logreg

def numpy_logreg(args):
    import numpy as np
    dt = np.float32 if args.dtype == "float32" else np.float64
    d, k, lr = 784, 10, dt(0.1)
    rng = np.random.default_rng(args.seed)
    pool = 1000  # a pool of synthetic samples, cycled
    xs = rng.random((pool, d)).astype(dt)
    ys = rng.integers(0, k, pool)
    onehots = np.eye(k, dtype=dt)
    W = (rng.standard_normal((k, d)) / np.sqrt(d)).astype(dt)
    b = np.zeros(k, dtype=dt)

    def run(count):
        nonlocal W, b
        for i in range(count):
            x = xs[i % pool]
            y = ys[i % pool]
            z = W @ x + b
            z = z - z.max()
            p = np.exp(z)
            p /= p.sum()
            g = p - onehots[y]
            W -= lr * np.outer(g, x)
            b -= lr * g

    run(max(args.warmup, 1) * 100)
    t0 = time.perf_counter()
    run(args.samples)
    seconds = time.perf_counter() - t0
    r = {"mode": "numpy-logreg", "threads": args.thread_list[0], "batch": 1,
         "samples": args.samples, "dtype": args.dtype,
         "train_samples_per_s": args.samples / seconds,
         "numpy_version": np.__version__, "blas": numpy_blas_info()}
    if args.json:
        print(json.dumps(r))
    else:
        print(f"numpy single-sample SGD logreg 784->10 ({args.dtype}): "
              f"{r['train_samples_per_s']:.0f} samples/s")


# ---------------------------------------------------------------------------------------------
# --spec: the network in PyTorch

def pair(v, name):
    if isinstance(v, int):
        return (v, v)
    if isinstance(v, list) and len(v) == 2 and all(isinstance(i, int) for i in v):
        return (v[0], v[1])
    raise SystemExit(f"torch_bench: {name} must be an int or [y, x], got {v!r}")


def layer_entry(entry):
    if isinstance(entry, str):
        return entry, {}
    if isinstance(entry, dict) and len(entry) == 1:
        (kind, params), = entry.items()
        return kind, (params or {})
    raise SystemExit(f"torch_bench: a layer is a bare name or a one-key map, got {entry!r}")


KINDS_TABLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "torch_kinds.json")


def load_kinds(path=KINDS_TABLE):
    with open(path) as f:
        table = json.load(f)
    return {k: v for k, v in table.items() if not k.startswith("_")}


def geometry(kind, p, shape):
    """The named values a table entry may refer to, from the layer's params and input shape."""
    g = {"in_features": shape[0] if len(shape) == 1 else None, "channels": shape[0]}
    if "units" in p:
        g["units"] = int(p["units"])
    if kind == "conv2d":
        ky, kx = pair(p["kernel"], "kernel")
        pad = p.get("padding", 0)
        g["kernel"] = (ky, kx)
        g["stride"] = pair(p.get("stride", 1), "stride")
        g["padding"] = ((ky - 1) // 2, (kx - 1) // 2) if pad == "same" else pair(pad, "padding")
    if "size" in p:
        ky, kx = pair(p["size"], "size")
        st = p.get("stride", "auto")
        g["window"] = (ky, kx)
        g["window_stride"] = (ky, kx) if st == "auto" else pair(st, "stride")
    return g


def argument(a, p, g):
    if isinstance(a, str):
        if a not in g or g[a] is None:
            raise SystemExit(f"torch_bench: torch_kinds.json names {a!r}, which this layer lacks")
        return g[a]
    if isinstance(a, dict):
        if a["param"] not in p and "default" not in a:
            raise SystemExit(f"torch_bench: layer needs {a['param']!r}")
        v = p.get(a["param"], a.get("default"))
        return {"float": float, "int": int, "bool": bool}.get(a.get("as"), lambda x: x)(v)
    return a


def out_shape(rule, shape, g):
    if rule == "flatten":
        n = 1
        for s in shape:
            n *= s
        return (n,)
    if rule == "dense":
        if len(shape) != 1:
            raise SystemExit("torch_bench: dense needs a flat input; insert flatten")
        return (g["units"],)
    if rule in ("conv", "pool"):
        c, h, w = shape
        ky, kx = g["kernel"] if rule == "conv" else g["window"]
        sy, sx = g["stride"] if rule == "conv" else g["window_stride"]
        py, px = g["padding"] if rule == "conv" else (0, 0)
        channels = g["filters"] if rule == "conv" else c
        return (channels, (h + 2 * py - ky) // sy + 1, (w + 2 * px - kx) // sx + 1)
    return shape


def build_model(spec, kinds=None):
    import torch.nn as nn
    kinds = kinds if kinds is not None else load_kinds()
    model = spec["model"]
    shape = tuple(model["input"])
    loss = spec.get("loss", "cross_entropy")
    if isinstance(loss, dict):
        (loss, _), = loss.items()
    entries = [layer_entry(e) for e in model["layers"]]
    if loss == "cross_entropy" and entries and entries[-1][0] in ("softmax", "log_softmax"):
        entries = entries[:-1]  # fused into nn.CrossEntropyLoss on the logits, as dlspec does
    mods, names = [], []
    for kind, p in entries:
        entry = kinds.get(kind)
        if entry is None:
            raise SystemExit(f"torch_bench: layer kind {kind!r} has no entry in {KINDS_TABLE}")
        g = geometry(kind, p, shape)
        if kind == "conv2d":
            g["filters"] = int(p["filters"])
        module = entry["module"]
        if isinstance(module, dict):
            module = module.get(str(len(shape)))
            if module is None:
                raise SystemExit(f"torch_bench: {kind} has no module for input rank {len(shape)}")
        args = [argument(a, p, g) for a in entry.get("args", [])]
        kwargs = {k: argument(v, p, g) for k, v in entry.get("kwargs", {}).items()}
        mods.append(getattr(nn, module)(*args, **kwargs))
        shape = out_shape(entry.get("shape", "same"), shape, g)
        names.append(kind)
    return nn.Sequential(*mods), loss, shape, names


def build_loss(loss, classes):
    import torch
    import torch.nn as nn
    if loss == "cross_entropy":
        ce = nn.CrossEntropyLoss()
        return lambda out, y: ce(out, y)
    if loss in ("mse", "l1"):
        def f(out, y):
            d = out - torch.nn.functional.one_hot(y, classes).to(out.dtype)
            per = (d * d) if loss == "mse" else d.abs()
            return per.sum(dim=1).mean()  # summed over classes, mean over the batch
        return f
    raise SystemExit(f"torch_bench: unknown loss {loss!r}")


def build_optimizer(spec, params):
    import torch
    opt = spec.get("optimizer", {"sgd": {"lr": 0.01}})
    if isinstance(opt, str):
        raise SystemExit("torch_bench: an optimizer needs at least lr")
    (kind, p), = opt.items()
    p = p or {}
    lr, wd = float(p["lr"]), float(p.get("weight_decay", 0))
    if kind == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=float(p.get("momentum", 0)),
                               nesterov=bool(p.get("nesterov", False)), weight_decay=wd)
    if kind == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=wd,
                                betas=(float(p.get("beta1", 0.9)), float(p.get("beta2", 0.999))),
                                eps=float(p.get("eps", 1e-8)))
    if kind == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=float(p.get("rho", 0.99)),
                                   eps=float(p.get("eps", 1e-8)),
                                   momentum=float(p.get("momentum", 0)), weight_decay=wd)
    raise SystemExit(f"torch_bench: unknown optimizer {kind!r}")


def load_spec(args):
    """The spec, with torch's threads and seed set from the arguments; (spec, threads, batch)."""
    import torch
    import yaml
    with open(args.spec) as f:
        spec = yaml.safe_load(f)
    threads = args.thread_list[0]
    torch.set_num_threads(threads)
    torch.manual_seed(args.seed)
    return spec, threads, args.batch or int((spec.get("train") or {}).get("batch_size", 100))


def read_idx(path):
    """An IDX file (gzipped or not) as a numpy array."""
    import gzip
    import numpy as np
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def end_to_end(args):
    """One epoch of the spec on the real training data, the way a PyTorch user writes it:
    IDX files → tensors (pixels / 255) → the last validation_split as validation → DataLoader
    (shuffled, the spec's batch) → train one epoch → evaluate the validation part. Everything
    after `import torch` is timed, data loading included, as `dlspec train` is timed whole."""
    import os
    import torch
    t0 = time.perf_counter()
    spec, threads, batch = load_spec(args)
    images = read_idx(os.path.join(args.end_to_end, "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(args.end_to_end, "train-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype("float32") / 255).reshape((len(images),) + tuple(spec["model"]["input"]))
    y = torch.from_numpy(labels.astype("int64"))
    split = float((spec.get("data") or {}).get("validation_split", 0))
    n_val = int(round(len(x) * split))
    n_train = len(x) - n_val
    model, loss_name, out_shape, _ = build_model(spec)
    loss_fn = build_loss(loss_name, out_shape[0])
    opt = build_optimizer(spec, model.parameters())
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x[:n_train], y[:n_train]), batch_size=batch, shuffle=True)
    model.train()
    for xb, yb in loader:
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for s in range(n_train, len(x), 1000):
            correct += int((model(x[s:s + 1000]).argmax(1) == y[s:s + 1000]).sum())
    seconds = time.perf_counter() - t0
    r = {"spec": args.spec, "mode": "end-to-end", "threads": threads, "batch": batch,
         "train_samples": n_train, "validation_samples": n_val, "seconds": seconds,
         "validation_accuracy": correct / max(n_val, 1), "torch_version": torch.__version__}
    if args.json:
        print(json.dumps(r))
    else:
        print(f"torch end to end {args.spec}: {n_train} samples, batch {batch}, {threads} "
              f"thread(s): {seconds:.1f} s, validation accuracy {r['validation_accuracy']:.4f}")


def torch_bench(args):
    import torch
    spec, threads, batch = load_spec(args)
    model, loss_name, out_shape, names = build_model(spec)
    classes = out_shape[0]
    loss_fn = build_loss(loss_name, classes)
    opt = build_optimizer(spec, model.parameters())
    in_shape = tuple(spec["model"]["input"])

    pool = 4  # a few synthetic batches, cycled; generated before timing
    xs = [torch.randn((batch,) + in_shape) for _ in range(pool)]
    ys = [torch.randint(0, classes, (batch,)) for _ in range(pool)]

    def train_step(i):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xs[i % pool]), ys[i % pool])
        loss.backward()
        opt.step()
        return loss

    model.train()
    for i in range(args.warmup):
        train_step(i)
    t0 = time.perf_counter()
    for i in range(args.steps):
        last = train_step(i)
    last.item()  # make sure the work is done (CPU torch is synchronous; this is cheap)
    train_s = time.perf_counter() - t0

    model.eval()
    with torch.no_grad():
        for i in range(args.warmup):
            model(xs[i % pool])
        t0 = time.perf_counter()
        for i in range(args.steps):
            model(xs[i % pool])
        eval_s = time.perf_counter() - t0

    r = {"spec": args.spec, "name": spec.get("name"), "framework": "pytorch",
         "torch_version": torch.__version__, "threads": threads,
         "torch_threads": torch.get_num_threads(), "batch": batch,
         "steps": args.steps, "warmup": args.warmup,
         "layers": names, "loss": loss_name,
         "parameters": sum(p.numel() for p in model.parameters()),
         "train_samples_per_s": batch * args.steps / train_s,
         "eval_samples_per_s": batch * args.steps / eval_s,
         "step_ms": train_s / args.steps * 1e3,
         "final_loss": float(last.item())}
    if args.json:
        print(json.dumps(r))
        return
    print(f"torch {torch.__version__} {args.spec}: batch {batch}, {threads} thread(s), "
          f"{args.steps} steps after {args.warmup} warm-up")
    print(f"  layers     {' '.join(names)}  (+ {loss_name}; {r['parameters']:,} parameters)")
    print(f"  training   {r['train_samples_per_s']:10.0f} samples/s  ({r['step_ms']:.3f} ms/step)")
    print(f"  evaluation {r['eval_samples_per_s']:10.0f} samples/s")


def main():
    args = parse_args()
    if args.sgemm_peak:
        sgemm_peak(args)  # spawns a fresh process per thread count
        return
    set_blas_threads(args.thread_list[0])  # before numpy/torch are imported
    if args.sgemm_child:
        sgemm_child(args)
    elif args.numpy_logreg:
        numpy_logreg(args)
    elif args.end_to_end:
        end_to_end(args)
    else:
        torch_bench(args)


if __name__ == "__main__":
    main()
