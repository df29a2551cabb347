#!/usr/bin/env bash
# Parity of `dlspec export --to pytorch` with dlspec itself (docs/interop.md), from a fresh
# clone: installs torch (the CPU wheel of /opt/wheels when there is one, else PyTorch's CPU
# index; never a CUDA build) with h5py and numpy into a venv, then for every example spec in
# specs/ and every coverage spec in scripts/interop/specs/:
#   forward  `dlspec export --verify`: every layer's output and the loss on one batch, 1e-5
#   train    20 steps on the same batches in the same order, dropout off: the loss of every
#            step to 1e-4 relative, the final weights and layer state to 1e-4 ("ok"; or
#            "ok-1thread" against dlspec run on one BLAS thread); when dlspec on one thread
#            and on all cores ("self" columns) themselves part by more than 1e-4, torch
#            within 10x of that spread is "ok-chaotic" (docs/interop.md says why)
# and for logreg and mlp under `torchrun --nproc_per_node 2` (CPU, gloo): 20 steps against
# dlspec's to 1e-4, and one epoch whose checkpoint `dlspec evaluate` must score with the test
# accuracy train.py printed.
#
#   scripts/interop-check.sh [--device cpu|cuda] [--venv DIR] [--specs 'a.yaml b.yaml']
#   (INTEROP_VENV=DIR instead of --venv; DLSPEC=BINARY to skip the release build)
# Exit 0 when every check passes. Prints a table (recorded in docs/interop.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
device=cpu
venv=${INTEROP_VENV:-$root/.build/interop-venv}
specs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device=$2; shift 2 ;;
    --venv) venv=$2; shift 2 ;;
    --specs) specs=$2; shift 2 ;;
    *) echo "usage: $0 [--device cpu|cuda] [--venv DIR] [--specs 'a.yaml b.yaml']" >&2; exit 2 ;;
  esac
done
[ -n "$specs" ] || specs="$(ls specs/*.yaml scripts/interop/specs/*.yaml)"

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import torch, h5py, numpy, yaml' 2>/dev/null; then
  echo "installing torch, h5py, numpy, pyyaml into $venv"
  python3 -m venv "$venv"
  wheel=$(ls /opt/wheels/torch-*+cpu-*.whl 2>/dev/null | head -1 || true)
  if [ -n "$wheel" ]; then
    "$venv/bin/pip" install -q "$wheel" h5py numpy pyyaml
  else
    "$venv/bin/pip" install -q torch --index-url https://download.pytorch.org/whl/cpu
    "$venv/bin/pip" install -q h5py numpy pyyaml
  fi
fi
py=$venv/bin/python
# DLSPEC=path/to/dlspec skips the release build (any build of this tree will do).
if [ -z "${DLSPEC:-}" ]; then
  swift build -c release >/dev/null
  dlspec="$(swift build -c release --show-bin-path)/dlspec"
else
  dlspec=$DLSPEC
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
have_mnist=0
for d in "${DLSPEC_DATA:-}" ./data /usr/share/datasets; do
  if [ -n "$d" ] && ls "$d"/mnist/train-images-idx3-ubyte* >/dev/null 2>&1; then have_mnist=1; fi
done
echo "torch $("$py" -c 'import torch; print(torch.__version__)'), device $device, dlspec $("$dlspec" --version)"
echo
printf '%-26s %-20s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n' spec changes forward step0 losses \
  weights loss-1t wts-1t self-los self-wts result
failed=0
for spec in $specs; do
  name=$(basename "$spec" .yaml)
  dir=$work/$name
  if grep -q '^growth:' "$spec"; then
    # A model that grows during training has no fixed PyTorch form: export refuses it (E085).
    refusal=$("$dlspec" export "$spec" --to pytorch --out "$work/$name-pkg" 2>&1 || true)
    if grep -q 'error\[E085\]' <<<"$refusal"; then
      printf '%-26s %s\n' "$name" "refused (growth:, E085), as it must be"
    else
      failed=1
      printf '%-26s %s\n' "$name" "FAIL: a growth: spec was not refused"
    fi
    continue
  fi
  mkdir -p "$dir"
  notes=$("$py" scripts/interop/prepare_spec.py "$spec" "$dir/spec.yaml" "$have_mnist")
  if ! DLSPEC_PYTHON=$py "$dlspec" export "$dir/spec.yaml" --to pytorch --out "$dir/pkg" --verify \
    > "$dir/verify.txt" 2>&1; then
    verdict=FAIL
  else
    verdict=ok
  fi
  forward=$(DIR=$dir "$py" -c '
import json, os, sys
out = open(os.environ["DIR"] + "/pkg/../verify.txt").read()
rows = [l.split() for l in out.splitlines() if "relative" in l and "|diff|" in l]
print("%.1e" % max(float(r[-1]) for r in rows) if rows else "-")')
  "$dlspec" train "$dir/spec.yaml" --out "$dir/dl" --stop-at-step 20 \
    --trace-losses "$dir/dl.losses" > "$dir/dl.txt" 2>&1 || verdict=FAIL
  # dlspec against itself with one BLAS thread: how far float rounding alone carries 20 steps.
  "$dlspec" train "$dir/spec.yaml" --out "$dir/dl1" --stop-at-step 20 --threads 1 \
    --trace-losses "$dir/dl1.losses" > "$dir/dl1.txt" 2>&1 || verdict=FAIL
  (cd "$dir/pkg" && "$py" train.py --device "$device" --max-steps 20 \
    --trace-losses "$dir/pt.losses" --out "$dir/pt") > "$dir/pt.txt" 2>&1 || verdict=FAIL
  step0=- losses=- weights=- losses1=- weights1=- self_losses=- self_weights=-
  if [ "$verdict" = ok ]; then
    cmp=$("$py" scripts/interop/compare.py "$dir/dl.losses" "$dir/pt.losses" \
      "$dir/dl/checkpoints/last.h5" "$dir/pt/checkpoints/last.h5")
    cmp1=$("$py" scripts/interop/compare.py "$dir/dl1.losses" "$dir/pt.losses" \
      "$dir/dl1/checkpoints/last.h5" "$dir/pt/checkpoints/last.h5")
    self=$("$py" scripts/interop/compare.py "$dir/dl.losses" "$dir/dl1.losses" \
      "$dir/dl/checkpoints/last.h5" "$dir/dl1/checkpoints/last.h5")
    read -r step0 losses weights losses1 weights1 self_losses self_weights verdict \
      <<<"$(CMP=$cmp CMP1=$cmp1 SELF=$self "$py" -c '
import json, os
r, r1, s = (json.loads(os.environ[k]) for k in ("CMP", "CMP1", "SELF"))
def within(c, loss, weights):
    return (min(c["steps_dlspec"], c["steps_torch"]) == 20 and c["first_loss_rel"] <= 1e-5
            and c["loss_rel"] <= loss and c["weights_rel"] <= weights)
# ok: torch follows dlspec (all cores) to 1e-4; ok-1thread: it follows dlspec on one BLAS
# thread to 1e-4; ok-chaotic: neither, but dlspec on all cores and dlspec on one thread part
# by more than 1e-4 themselves, and torch is within 10x of that spread (one sample of it,
# hence the factor): the 20 steps are not reproducible to 1e-4 by dlspec itself.
loss, weights = 10 * max(s["loss_rel"], 1e-5), 10 * max(s["weights_rel"], 1e-5)
if within(r, 1e-4, 1e-4):
    verdict = "ok"
elif within(r1, 1e-4, 1e-4):
    verdict = "ok-1thread"
elif s["loss_rel"] > 1e-4 and (within(r, loss, weights) or within(r1, loss, weights)):
    verdict = "ok-chaotic"
else:
    verdict = "FAIL"
print("%.1e %.1e %.1e %.1e %.1e %.1e %.1e %s" % (
    r["first_loss_rel"], r["loss_rel"], r["weights_rel"], r1["loss_rel"], r1["weights_rel"],
    s["loss_rel"], s["weights_rel"], verdict))')"
  fi
  if [ "$verdict" = FAIL ]; then
    failed=1
    for f in "$dir"/*.txt; do echo "--- $f"; tail -n 5 "$f"; done
  fi
  printf '%-26s %-20s %8s %8s %8s %8s %8s %8s %8s %8s  %s\n' "$name" "$notes" "$forward" \
    "$step0" "$losses" "$weights" "$losses1" "$weights1" "$self_losses" "$self_weights" "$verdict"
done

echo
echo "torchrun --nproc_per_node 2 (CPU, gloo): the first 20 steps against dlspec's (each global"
echo "batch split over the two processes), then one epoch; dlspec evaluate on its last.h5:"
printf '%-10s %9s %9s %12s %12s %11s  %s\n' spec losses weights train.py dlspec difference result
for name in logreg mlp; do
  dir=$work/ddp-$name
  mkdir -p "$dir"
  spec=specs/$name.yaml
  "$dlspec" export "$spec" --to pytorch --out "$dir/pkg" > /dev/null
  losses=- weights=- verdict=ok
  if [ -f "$work/$name/dl.losses" ]; then
    (cd "$dir/pkg" && "$venv/bin/torchrun" --nproc_per_node 2 train.py --max-steps 20 \
      --device cpu --trace-losses "$dir/ddp20.losses" --out "$dir/run20") > "$dir/ddp20.txt" 2>&1 \
      || { failed=1; tail -n 5 "$dir/ddp20.txt"; continue; }
    cmp=$("$py" scripts/interop/compare.py "$work/$name/dl.losses" "$dir/ddp20.losses" \
      "$work/$name/dl/checkpoints/last.h5" "$dir/run20/checkpoints/last.h5")
    read -r losses weights ok <<<"$(CMP=$cmp "$py" -c '
import json, os
r = json.loads(os.environ["CMP"])
ok = r["steps_torch"] == 20 and r["loss_rel"] <= 1e-4 and r["weights_rel"] <= 1e-4
print("%.1e %.1e %d" % (r["loss_rel"], r["weights_rel"], ok))')"
    [ "$ok" = 1 ] || verdict=FAIL
  fi
  (cd "$dir/pkg" && "$venv/bin/torchrun" --nproc_per_node 2 train.py --epochs 1 --device cpu \
    --out "$dir/run") > "$dir/ddp.txt" 2>&1 || { failed=1; tail -n 5 "$dir/ddp.txt"; continue; }
  reported=$(sed -n 's/^test: .*accuracy \([0-9.]*\).*/\1/p' "$dir/ddp.txt")
  evaluated=$("$dlspec" evaluate "$spec" --checkpoint "$dir/run/checkpoints/last.h5" \
    --format json | "$py" -c 'import json, sys; print("%.6f" % json.load(sys.stdin)["accuracy"])')
  [ "$reported" = "$evaluated" ] || verdict=FAIL
  [ "$verdict" = ok ] || failed=1
  difference=$(R=$reported E=$evaluated "$py" -c 'import os; print("%.6f" % abs(float(os.environ["R"]) - float(os.environ["E"])))')
  printf '%-10s %9s %9s %12s %12s %11s  %s\n' "$name" "$losses" "$weights" "$reported" \
    "$evaluated" "$difference" "$verdict"
done
echo
[ "$failed" = 0 ] && echo "interop check: every check passed" || echo "interop check: FAILED"
exit "$failed"
