#!/usr/bin/env bash
# Front-end speed: start-up (`dlspec --version`), `dlspec validate` of a 1,000-layer spec, and
# of a 100,000-entry flow-style line (`layers: [sigmoid, sigmoid, …]`, 800 KB: issue 14's
# quadratic-rendering case; stderr goes to /dev/null, so this is the front end, not the disk).
# Prints the median of 20 runs of each, in milliseconds. Usage: bash bench/frontend.sh
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release >/dev/null
bin=.build/release/dlspec
spec=$(mktemp --suffix=.yaml)
{
  echo "dlspec: 1"
  echo "model:"
  echo "  input: [64]"
  echo "  layers:"
  for i in $(seq 1 500); do echo "    - dense: {units: 64}"; echo "    - relu"; done
  echo "loss: mse"
} > "$spec"
flow=$(mktemp --suffix=.yaml)
python3 -c 'print("dlspec: 1\nmodel:\n  input: [4]\n  layers: [" + ", ".join(["sigmoid"] * 100000) + ", dense: {units: 2}]\nloss: mse")' > "$flow"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_ms() {
  for _ in $(seq 1 20); do
    s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | median | awk '{printf "%.1f", $1/1000}'
}
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "start-up (dlspec --version):        $(time_ms $bin --version) ms"
echo "validate, 1,000-layer spec:         $(time_ms $bin validate "$spec") ms"
echo "validate, 100,000-entry flow line:  $(time_ms $bin validate "$flow") ms"
rm -f "$spec" "$flow"
