#!/usr/bin/env bash
# Installs what dlspec needs on Debian when it is missing: system libraries and the dataset
# (apt), and the Python packages the tests use to cross-check our output (pip).
set -euo pipefail
packages=(libopenblas-dev libhdf5-dev libyaml-dev zlib1g-dev dataset-fashion-mnist pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--python" ]; then
  python3 -c "import jsonschema, yaml, h5py" 2>/dev/null \
    || python3 -m pip install -q jsonschema pyyaml h5py
  # The ONNX round trip and node tests (docs/onnx.md): the versions docs/conformance.md records.
  python3 -c "import onnx, onnxruntime" 2>/dev/null \
    || python3 -m pip install -q onnx==1.23.2 onnxruntime==1.32.0
fi
