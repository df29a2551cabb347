#!/usr/bin/env bash
# The test command of README.md (and of CI): install what is missing, build, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --python
bash scripts/lint.sh
swift build --build-tests
swift test --skip-build
echo "Sources: $(cat $(find Sources -name '*.swift') | wc -l) lines of Swift"
