#!/usr/bin/env bash
# The main job of README.md: install what is missing, build, check every example spec, then
# train the Fashion-MNIST CNN on the real data set and evaluate it on the test set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release
bin=.build/release/dlspec
$bin validate specs/*.yaml
$bin cost specs/fashion-mnist-cnn.yaml
out=runs/main
rm -rf "$out"
$bin train specs/fashion-mnist-cnn.yaml --out "$out"
$bin evaluate specs/fashion-mnist-cnn.yaml --checkpoint "$out/checkpoints/last.h5"
