#!/usr/bin/env bash
# Lint: `swift format lint --strict` (bundled with the toolchain) with .swift-format, over the
# files listed in scripts/formatted-files.txt; `swift format -i FILE` fixes what it reports.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(grep -v '^#' scripts/formatted-files.txt | sed '/^$/d')
swift format lint --strict --configuration .swift-format "${files[@]}"
echo "lint: ${#files[@]} files clean"
