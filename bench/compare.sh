#!/usr/bin/env bash
# dlspec vs PyTorch, side by side, on synthetic data: training and evaluation samples/s, dlspec's
# GFLOP/s as a share of the machine's SGEMM peak, and a batch-1 row (logreg: dlspec vs the notes'
# numpy single-sample loop). Everything runs twice: with the environment as it is, and with
# OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE removed (per command, `env -u`), one table per pass.
#
# Usage: bash bench/compare.sh [SPEC ...]      (default: the six models below; see bench/README.md)
#        bash bench/compare.sh --end-to-end   only the end-to-end rows: one epoch of
#            `dlspec train specs/fashion-mnist-cnn.yaml` on the real data against a PyTorch
#            DataLoader loop on the same files, batch and threads, wall time of each as a whole
# Environment knobs:
#   THREADS="1 2"   thread counts            STEPS=100 WARMUP=10   timed / warm-up steps
#   BATCH=100       batch size               B1_STEPS=2000         timed steps of the batch-1 row
#   SKIP_BUILD=1    use the existing .build/release/dlspec (no `swift build -c release`)
#   SKIP_INSTALL=1  use bench/.venv as it is (no pip)     VENV=bench/.venv   where the venv lives
#   PASSES="asis unset"                      which of the two passes to run
#   REPEATS=1       runs of every measurement; the tables show the best of them (noisy machines)
#   DLSPEC_BIN=.build/release/dlspec  the binary to time (e.g. a copy of an older build, for a
#                   before/after pair against the same PyTorch run of the day); implies SKIP_BUILD
set -euo pipefail
cd "$(dirname "$0")/.."
end_to_end=0
if [ "${1:-}" = --end-to-end ]; then end_to_end=1; shift; fi

THREADS=${THREADS:-"1 2"}
STEPS=${STEPS:-100}
WARMUP=${WARMUP:-10}
BATCH=${BATCH:-100}
B1_STEPS=${B1_STEPS:-2000}
PASSES=${PASSES:-"asis unset"}
REPEATS=${REPEATS:-1}
venv=${VENV:-bench/.venv}
py=$venv/bin/python
bin=${DLSPEC_BIN:-.build/release/dlspec}
[ -n "${DLSPEC_BIN:-}" ] && SKIP_BUILD=1
start=$(date +%s)

say() { echo "compare.sh: $*" >&2; }

# ---- 1. Python environment: bench/.venv with torch (CPU build preferred), numpy, pyyaml ---------
install_python() {
  if [ ! -x "$py" ]; then
    say "creating $venv"
    python3 -m venv "$venv"
  fi
  local pip="$venv/bin/pip"
  if ! "$py" -c 'import torch' 2>/dev/null; then
    # The default PyPI wheel for Linux pulls the whole CUDA stack (GBs); prefer a CPU-only
    # (+cpu) wheel from pip's find-links when one is there, else install PyPI's default.
    local tag wheel="" dir
      tag=$("$py" -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
      local links="${PIP_FIND_LINKS:-} $("$pip" config get global.find-links 2>/dev/null || true)"
      for dir in $links; do
        dir=${dir#file://}
        [ -d "$dir" ] || continue
        wheel=$(ls "$dir"/torch-*+cpu-"$tag"-"$tag"-*linux*x86_64.whl 2>/dev/null | sort -V | tail -1 || true)
        [ -n "$wheel" ] && break
      done
      if [ -n "$wheel" ]; then
        say "installing the local CPU wheel $wheel"
        "$pip" install "$wheel"
      else
        say "no CPU-only torch wheel in pip's find-links; installing PyPI's default wheel (large)"
        "$pip" install torch
      fi
  fi
  "$py" -c 'import numpy, yaml' 2>/dev/null || "$pip" install numpy pyyaml
  "$py" -c 'import threadpoolctl' 2>/dev/null || "$pip" install threadpoolctl || true
}
if [ "${SKIP_INSTALL:-0}" != 1 ]; then install_python >&2; fi  # pip chatter to stderr

# ---- 2. dlspec release build ------------------------------------------------------------------
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "swift build -c release"
  swift build -c release >&2
fi
have_bench=0
for _ in 1 2 3 4 5 6; do  # the binary may be mid-rebuild: wait for it a little
  [ -x "$bin" ] && break
  sleep 10
done
if [ -x "$bin" ] && "$bin" bench --help >/dev/null 2>&1; then
  have_bench=1
else
  say "WARNING: '$bin bench' is not available: the dlspec columns will show '-'"
fi

# ---- 3. models --------------------------------------------------------------------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen="$tmp/mlp-4x100.yaml"  # 784 → 4×100 ReLU → 10, like specs/mlp-deep.yaml with 100 units
{
  echo "dlspec: 1"
  echo "name: mlp-4x100"
  echo "data:"
  echo "  dataset: fashion-mnist"
  echo "  validation_split: 0.1"
  echo "model:"
  echo "  input: [784]"
  echo "  layers:"
  for _ in 1 2 3 4; do echo "    - dense: {units: 100}"; echo "    - relu"; done
  echo "    - dense: {units: 10}"
  echo "    - softmax"
  echo "loss: cross_entropy"
  echo "optimizer:"
  echo "  sgd: {lr: 0.05, momentum: 0.9}"
  echo "train:"
  echo "  epochs: 12"
  echo "  batch_size: 100"
  echo "  seed: 1"
  echo "  init: he"
} > "$gen"
if [ $# -gt 0 ]; then
  models=("$@")
else
  models=(specs/logreg.yaml specs/mlp.yaml specs/mlp-deep.yaml "$gen" specs/mnist-cnn.yaml
          specs/fashion-mnist-cnn.yaml)
fi

# ---- 4. header ----------------------------------------------------------------------------------
echo "# dlspec vs PyTorch"
echo
echo '```'
echo "date:     $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "uname:    $(uname -a)"
echo "cpu:      $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; flags: $(grep -m1 -o -w -E 'avx512f|avx2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
busy() {  # CPU pressure (share of the last 10 s in which something waited for a CPU), else load
  if [ -r /proc/pressure/cpu ]; then sed -n 's/^some avg10=\([0-9.]*\).*/cpu pressure \1% (10 s)/p' /proc/pressure/cpu
  else echo "load $(cut -d' ' -f1 /proc/loadavg)"; fi
}
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min), $(busy) at start"
if [ "$(awk '{print ($1 > 0.5)}' /proc/loadavg)" = 1 ]; then
  echo "WARNING:  the machine is busy (load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores): figures, above all 2-thread PyTorch ones, are unreliable"
  say "WARNING: the machine is busy; see the header"
fi
echo "swift:    $(swift --version 2>&1 | head -1)"
echo "dlspec:   $bin, $("$bin" --version 2>/dev/null || echo '?') ($(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ', dirty tree'))"
"$py" - <<'EOF'
import numpy, torch
print(f"torch:    {torch.__version__} (intra-op via {'OpenMP' if 'OpenMP' in torch.__config__.parallel_info() else '?'}, "
      f"BLAS {'MKL' if torch.backends.mkl.is_available() else '?'}, oneDNN {torch.backends.mkldnn.is_available()})")
print(f"numpy:    {numpy.__version__}")
EOF
echo "env:      OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-<unset>} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-<unset>}"
echo "settings: batch $BATCH, threads $THREADS, $STEPS steps after $WARMUP warm-up; batch-1 row $B1_STEPS steps; best of $REPEATS run(s)"
echo '```'

# ---- 5. measurements ----------------------------------------------------------------------------
# run PASS CMD...: the command as is, or under `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`.
run() {
  local pass=$1; shift
  if [ "$pass" = unset ]; then env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; else "$@"; fi
}
# keep OUT CMD...: REPEATS runs; stdout of each successful one to OUT.1, OUT.2, … (the tables
# take the best of them per figure); stderr to OUT.err.
keep() {
  local out=$1 r; shift
  for r in $(seq 1 "$REPEATS"); do
    if ! "$@" > "$out.tmp" 2> "$out.err"; then
      say "failed: $* (see below)"; sed 's/^/    /' "$out.err" | tail -5 >&2
      rm -f "$out.tmp"; return 0
    fi
    mv "$out.tmp" "$out.$r"
  done
}

# ---- end to end (--end-to-end) -----------------------------------------------------------------
if [ $end_to_end = 1 ]; then
  e2e_spec=specs/fashion-mnist-cnn.yaml
  data=""
  for root in "${DLSPEC_DATA:-}" data /usr/share/datasets; do
    [ -n "$root" ] && [ -f "$root/fashion-mnist/train-images-idx3-ubyte.gz" ] && { data=$root/fashion-mnist; break; }
  done
  if [ -z "$data" ]; then
    say "--end-to-end: no fashion-mnist data (apt-get install dataset-fashion-mnist)"; exit 1
  fi
  echo
  echo "## End to end: one epoch of \`dlspec train $e2e_spec\` vs a PyTorch DataLoader loop"
  echo
  echo "Data: $data (54,000 training and 6,000 validation images, the spec's validation_split);"
  echo "batch: the spec's; wall time of each whole run (dlspec: the process, with its data loading,"
  echo "validation and checkpoint; PyTorch: everything after \`import torch\`: IDX reading, DataLoader,"
  echo "training, validation). Best of $REPEATS."
  echo
  echo "| pass | threads | dlspec s | PyTorch s | ratio (PyTorch s / dlspec s) | dlspec val. acc. | PyTorch val. acc. |"
  echo "|---|--:|--:|--:|--:|--:|--:|"
  for pass in $PASSES; do
    for t in $THREADS; do
      best_d="" best_p="" acc_d="-" acc_p="-"
      for _ in $(seq 1 "$REPEATS"); do
        rm -rf "$tmp/e2e-run"
        s0=$(date +%s.%N)
        if run "$pass" "$bin" train "$e2e_spec" --epochs 1 --threads "$t" --out "$tmp/e2e-run" > "$tmp/e2e.out" 2>&1; then
          s1=$(date +%s.%N)
          d=$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')
          [ -z "$best_d" ] || [ "$(awk -v a="$d" -v b="$best_d" 'BEGIN { print (a < b) }')" = 1 ] && best_d=$d
          acc_d=$("$py" -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["validation_accuracy"])' "$tmp/e2e-run/summary.json" 2>/dev/null || echo "-")
        else
          say "dlspec train failed:"; tail -5 "$tmp/e2e.out" >&2
        fi
        if run "$pass" "$py" bench/torch_bench.py --spec "$e2e_spec" --end-to-end "$data" --threads "$t" --json > "$tmp/e2e.json" 2> "$tmp/e2e.err"; then
          p=$("$py" -c 'import json,sys; print("%.2f" % json.load(open(sys.argv[1]))["seconds"])' "$tmp/e2e.json")
          [ -z "$best_p" ] || [ "$(awk -v a="$p" -v b="$best_p" 'BEGIN { print (a < b) }')" = 1 ] && best_p=$p
          acc_p=$("$py" -c 'import json,sys; print("%.4f" % json.load(open(sys.argv[1]))["validation_accuracy"])' "$tmp/e2e.json")
        else
          say "torch end to end failed:"; tail -5 "$tmp/e2e.err" >&2
        fi
      done
      ratio=$(awk -v a="${best_p:-0}" -v b="${best_d:-0}" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }')
      echo "| $pass | $t | ${best_d:--} | ${best_p:--} | $ratio | $acc_d | $acc_p |"
    done
  done
  echo
  echo "compare.sh took $(( $(date +%s) - start )) s; at the end: load $(cut -d' ' -f1-3 /proc/loadavg), $(busy)"
  exit 0
fi

for pass in $PASSES; do
  d="$tmp/$pass"; mkdir -p "$d"
  say "pass '$pass'"
  for t in $THREADS; do
    if [ $have_bench = 1 ]; then
      keep "$d/peak.dlspec.$t.json" run "$pass" "$bin" bench --sgemm-peak --threads "$t" --format json
    fi
    keep "$d/peak.numpy.$t.json" run "$pass" "$py" bench/torch_bench.py --sgemm-peak --threads "$t" --json
    for i in "${!models[@]}"; do
      m=${models[$i]}
      say "  $(basename "$m" .yaml), $t thread(s)"
      if [ $have_bench = 1 ]; then
        keep "$d/m$i.dlspec.$t.json" run "$pass" "$bin" bench "$m" --batch "$BATCH" \
          --threads "$t" --steps "$STEPS" --warmup "$WARMUP" --format json
      fi
      keep "$d/m$i.torch.$t.json" run "$pass" "$py" bench/torch_bench.py --spec "$m" --batch "$BATCH" \
        --threads "$t" --steps "$STEPS" --warmup "$WARMUP" --json
    done
    if [ $have_bench = 1 ]; then
      keep "$d/b1.dlspec.$t.json" run "$pass" "$bin" bench specs/logreg.yaml --batch 1 \
        --threads "$t" --steps "$B1_STEPS" --warmup 100 --format json
    fi
    keep "$d/b1.numpy.$t.json" run "$pass" "$py" bench/torch_bench.py --numpy-logreg --threads "$t" --json
  done
done

# ---- 6. tables ----------------------------------------------------------------------------------
"$py" - "$tmp" "$PASSES" "$THREADS" "${models[@]}" <<'EOF'
import json, os, sys
tmp, passes, threads, models = sys.argv[1], sys.argv[2].split(), sys.argv[3].split(), sys.argv[4:]

import glob

def load1(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def load(path):
    """The runs PATH.1, PATH.2, … merged: the best (highest) value of every number."""
    runs = [r for r in (load1(p) for p in sorted(glob.glob(glob.escape(path) + ".[0-9]*"))) if isinstance(r, dict)]
    if not runs:
        return None
    best = dict(runs[0])
    for r in runs[1:]:
        for k, v in r.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool) and isinstance(best.get(k), (int, float)):
                best[k] = max(best[k], v)
    return best

def num(d, key):
    v = (d or {}).get(key)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None

def rate(v):
    return "-" if v is None else f"{v:,.0f}"

def ratio(a, b):
    return "-" if a is None or not b else f"{a / b:.2f}"

def name(m):
    return os.path.splitext(os.path.basename(m))[0]

seen = {}
for p in passes:
    d = os.path.join(tmp, p)
    cores = set()
    for f in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if ".dlspec." in f and ".json." in f and not f.endswith(".err"):
            c = (load1(os.path.join(d, f)) or {}).get("blas_core")
            if c:
                cores.add(c)
    core = ", ".join(sorted(cores)) if cores else "unknown (no dlspec bench output)"
    env = ("environment as is" if p == "asis"
           else "`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`")
    print(f"\n## OpenBLAS core {core} ({env})\n")
    if p == "unset" and seen.get("asis") == core and cores:
        print("(same core as the pass above: unsetting OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE changed "
              "nothing for dlspec here; differences are noise)\n")
    seen[p] = core
    peaks = {}
    notes = []
    for t in threads:
        dl = num(load(f"{d}/peak.dlspec.{t}.json"), "sgemm_gflops")
        npk = load(f"{d}/peak.numpy.{t}.json")
        nv = num(npk, "sgemm_gflops")
        peaks[t] = (dl, "dlspec") if dl else (nv, "numpy") if nv else (None, None)
        blas = (npk or {}).get("blas") or {}
        notes.append(f"{t} thread(s): dlspec {dl:.1f} GFLOP/s" if dl else f"{t} thread(s): dlspec -")
        notes[-1] += (f", numpy {nv:.1f} GFLOP/s ({blas.get('internal_api')} {blas.get('version')}"
                      f", core {blas.get('architecture')})" if nv else ", numpy -")
    print("SGEMM 1024³ peak: " + "; ".join(notes) + "\n")
    print("| model | threads | dlspec train/s | PyTorch train/s | ratio | dlspec eval/s "
          "| PyTorch eval/s | ratio | dlspec GFLOP/s | % of SGEMM peak |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    def row(label, t, dj, other_train, other_eval):
        dtr, dev = num(dj, "train_samples_per_s"), num(dj, "eval_samples_per_s")
        gf = num(dj, "train_gflops")
        peak, src = peaks.get(t, (None, None))
        pct = "-" if gf is None or not peak else f"{100 * gf / peak:.1f}%" + ("" if src == "dlspec" else " (numpy peak)")
        print(f"| {label} | {t} | {rate(dtr)} | {rate(other_train)} | {ratio(dtr, other_train)} "
              f"| {rate(dev)} | {rate(other_eval)} | {ratio(dev, other_eval)} "
              f"| {'-' if gf is None else f'{gf:.1f}'} | {pct} |")
    for i, m in enumerate(models):
        for t in threads:
            tj = load(f"{d}/m{i}.torch.{t}.json")
            row(name(m), t, load(f"{d}/m{i}.dlspec.{t}.json"),
                num(tj, "train_samples_per_s"), num(tj, "eval_samples_per_s"))
    for t in threads:
        nj = load(f"{d}/b1.numpy.{t}.json")
        row("logreg, batch 1 vs numpy loop", t,
            load(f"{d}/b1.dlspec.{t}.json"), num(nj, "train_samples_per_s"), None)
print("\nThe batch-1 row's PyTorch columns hold the notes' numpy single-sample SGD loop (training only).")
print("ratio = dlspec / PyTorch (above 1: dlspec is faster). GFLOP/s = the training step's FLOPs "
      "(`dlspec cost`) per second; % of peak against SGEMM 1024³ on as many threads.")
EOF
echo
echo "compare.sh took $(( $(date +%s) - start )) s; at the end: load $(cut -d' ' -f1-3 /proc/loadavg), $(busy)"
