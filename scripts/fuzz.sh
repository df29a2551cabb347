#!/usr/bin/env bash
# Coverage-guided fuzzing of one dlspec reader with libFuzzer (docs/reliability.md, "Fuzzing").
#
#   bash scripts/fuzz.sh TARGET SECONDS      TARGET: spec | idx | hdf5 | checkpoint | csv | npy
#
# Leak detection is off: FoundationEssentials.FileManager.contents(atPath:) leaks 4 KiB per
# call under LeakSanitizer (a Foundation buffer, not dlspec's), which would drown real findings.
#
# Builds the target's harness (Fuzz/Harness/_Fuzz<Target>) in .build-fuzz, release, with
# -sanitize=fuzzer,address, if needed; then fuzzes for SECONDS from Fuzz/corpus/<target>/
# (read only; new inputs go to .build-fuzz/corpus/<target>/), one forked job, continuing past
# crashes, OOMs and timeouts so a campaign reports all of them. Findings are copied to
# Fuzz/findings/<target>/. The normal build (.build) is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-}
seconds=${2:-}
case "$target" in
  spec) product=_FuzzSpec ;;
  idx) product=_FuzzIDX ;;
  hdf5) product=_FuzzHDF5 ;;
  checkpoint) product=_FuzzCheckpoint ;;
  csv) product=_FuzzCSV ;;
  npy) product=_FuzzNPY ;;
  *) echo "usage: scripts/fuzz.sh spec|idx|hdf5|checkpoint|csv|npy SECONDS" >&2; exit 2 ;;
esac
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh $target SECONDS" >&2; exit 2; }

# 1 GiB: a reader that believes a header claiming 2^31 or 2^33 elements allocates past it
# (-malloc_limit_mb defaults to the same value, so one huge malloc is reported at once).
rss_limit_mb=${FUZZ_RSS_LIMIT_MB:-1024}
timeout_s=${FUZZ_TIMEOUT_S:-10}

scratch=.build-fuzz
DLSPEC_FUZZ=1 swift build -c release --scratch-path "$scratch" \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library --product "$product" \
  2>&1 | grep -v "warning: Cannot export local symbol" | tail -3
binary="$scratch/release/$product"

work="$scratch/corpus/$target"
# Not .build-fuzz/artifacts: SwiftPM owns that folder and empties it on a build.
artifacts="$scratch/fuzz-artifacts/$target"
findings="Fuzz/findings/$target"
mkdir -p "$work" "$artifacts"
log="$scratch/fuzz-$target.log"

# The Swift runtime's backtracer would wait on each crash; libFuzzer prints the stack itself.
export SWIFT_BACKTRACE=enable=no
# allocator_may_return_null=1: libhdf5 (not instrumented) asks malloc for petabytes when a
# corrupt header says so, and handles the NULL that glibc returns; ASan's default is to abort.
# Allocations past -malloc_limit_mb are still reported by libFuzzer (as OOMs), wherever made.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allocator_may_return_null=1:detect_leaks=0}
set +e
"$binary" -fork=1 -ignore_crashes=1 -ignore_ooms=1 -ignore_timeouts=1 \
  -max_total_time="$seconds" -rss_limit_mb="$rss_limit_mb" -timeout="$timeout_s" \
  -max_len=65536 -detect_leaks=0 -artifact_prefix="$artifacts/" -print_final_stats=1 \
  "$work" "Fuzz/corpus/$target" >"$log" 2>&1
status=$?
set -e

# Fork mode's status lines: "#N: cov: C ft: F corp: … exec/s: E oom/timeout/crash: O/T/X time: S".
last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
echo "target:      $target ($product), ${seconds}s, rss limit ${rss_limit_mb} MB, timeout ${timeout_s}s"
echo "libFuzzer:   exit $status; log $log"
echo "executions:  $(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")"
echo "coverage:    cov $(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last"), ft $(sed -E 's/.* ft: ([0-9]+).*/\1/' <<<"$last")"
echo "corpus:      $(sed -E 's/.* corp: ([^ ]+).*/\1/' <<<"$last") (inputs/size)"
echo "oom/timeout/crash: $(sed -E 's#.* oom/timeout/crash: ([0-9/]+).*#\1#' <<<"$last")"
shopt -s nullglob
found=("$artifacts"/crash-* "$artifacts"/oom-* "$artifacts"/timeout-* "$artifacts"/leak-*)
if ((${#found[@]})); then
  mkdir -p "$findings"
  cp "${found[@]}" "$findings/"
  echo "findings:    ${#found[@]} in $findings/:"
  for f in "${found[@]}"; do echo "  $(basename "$f") ($(stat -c %s "$f") bytes)"; done
  echo "replay one:  $binary $findings/NAME"
else
  echo "findings:    none"
fi
