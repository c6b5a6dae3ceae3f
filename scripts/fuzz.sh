#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, seeded from fuzz/corpus/<name>.
# A crash, leak, out-of-memory, timeout or sanitizer report fails the run; the failing
# input is kept in BUILD_DIR/fuzz-artifacts and the report's first lines are printed.
set -euo pipefail
build_dir=${1:-build-asan}
seconds=${2:-60}
shopt -s nullglob
artifacts="$build_dir/fuzz-artifacts"
mkdir -p "$artifacts"
found=0
failed=0
for target in "$build_dir"/*_fuzz; do
  found=1
  name=$(basename "$target")
  corpus=$(mktemp -d)
  log=$(mktemp)
  seeds="fuzz/corpus/${name%_fuzz}"
  [[ -d "$seeds" ]] && cp -r "$seeds"/. "$corpus"/
  echo "fuzz: $name for ${seconds}s"
  status=0
  "$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$corpus" >"$log" 2>&1 || status=$?
  tail -n 5 "$log"
  if (( status != 0 )); then
    failed=1
    echo "fuzz: $name failed with exit code $status; the report begins:"
    grep -m 1 -A 24 -E "ERROR|SUMMARY" "$log" || tail -n 40 "$log"
    grep -E "Test unit written" "$log" || true
  fi
  rm -rf "$corpus" "$log"
done
(( found )) || echo "fuzz: no fuzz targets built"
exit "$failed"
