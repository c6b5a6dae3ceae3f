#!/usr/bin/env bash
# Decode's share of the measured memory bandwidth over a window of minutes, by spell.
#
# One bench call gives a handful of runs, each bracketed by bandwidth readings; on a
# shared machine the bandwidth swings by half within minutes, so a single call says
# more about its moment than about the engine. This repeats `precisiondiff bench` on
# the given files in turn for SECONDS_TOTAL seconds, keeps the runs whose readings
# before and after agree (bench's steady runs), and prints the median fraction per file
# and spell, with the calls' f32 FMA readings: a window whose FMA reading sits under the
# machine's best is one where neighbours take compute from the cores (BENCHMARKS.md,
# session 17).
#
#   SECONDS_TOTAL=480 THREADS=2 scripts/decode-fraction-window.sh r300-f16.gguf r300-q8_0.gguf
#
# PD picks the binary (default build/precisiondiff); RAW=FILE keeps the bench JSON lines;
# SPELLS="SLOW FAST" are the bandwidth readings (GB/s) where the middle and the fast
# spell begin (default "36 45", this 2-core machine's; readings there span 25-58 GB/s).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
pd=${PD:-$here/build/precisiondiff}
window=${SECONDS_TOTAL:-480}
threads=${THREADS:-2}
read -r mid_from fast_from extra <<<"${SPELLS:-36 45}" || true
[[ $# -ge 1 ]] || { echo "usage: $0 MODEL.gguf..." >&2; exit 2; }
[[ -x $pd ]] || { echo "$pd: not an executable (set PD)" >&2; exit 2; }
[[ $window =~ ^[0-9]+$ && $window -gt 0 ]] || { echo "SECONDS_TOTAL: not a positive whole number: $window" >&2; exit 2; }
[[ $threads =~ ^[0-9]+$ && $threads -gt 0 ]] || { echo "THREADS: not a positive whole number: $threads" >&2; exit 2; }
number='^[0-9]+([.][0-9]+)?$'
if ! [[ $mid_from =~ $number && $fast_from =~ $number && -z $extra ]] ||
  ! python3 -c 'import sys; sys.exit(float(sys.argv[1]) >= float(sys.argv[2]))' "$mid_from" "$fast_from"; then
  echo "SPELLS: not two increasing numbers (GB/s): ${SPELLS:-}" >&2
  exit 2
fi
for model in "$@"; do [[ -f $model ]] || { echo "$model: no such file" >&2; exit 2; }; done

raw=${RAW:-$(mktemp)}
[[ -n ${RAW:-} ]] || trap 'rm -f "$raw"' EXIT
: >"$raw"

echo "== $(date -u '+%F %H:%M') UTC, $(nproc) cores, $threads threads, ${window} s"
end=$(($(date +%s) + window))
while [[ $(date +%s) -lt $end ]]; do
  for model in "$@"; do
    # A failing call (a damaged file) stops the window: its error is the one to read.
    "$pd" bench "$model" --threads "$threads" --prompt-tokens 4 --gen-tokens 32 --runs 5 --json \
      --no-history >>"$raw"
    echo >>"$raw"
  done
done

python3 - "$raw" "$mid_from" "$fast_from" <<'EOF'
import json, statistics, sys
mid_from, fast_from = float(sys.argv[2]), float(sys.argv[3])
slow, mid, fast = f"under {sys.argv[2]} GB/s", f"{sys.argv[2]}-{sys.argv[3]} GB/s", f"{sys.argv[3]} GB/s and over"
runs, fma = {}, {}
for line in open(sys.argv[1]):
    if not line.strip():
        continue
    d = json.loads(line)
    name = d["model"].rsplit("/", 1)[-1]
    fma.setdefault(name, []).append(d["roofline_fma_gflops"])
    readings = d["run_bandwidth_gbs"]
    for r, (fraction, steady) in enumerate(zip(d["run_decode_fraction"], d["run_steady"])):
        if not steady:
            continue
        gbs = (readings[r] + readings[r + 1]) / 2
        spell = fast if gbs >= fast_from else (mid if gbs >= mid_from else slow)
        runs.setdefault((name, spell), []).append(fraction)
print("\n| file | spell (bandwidth read) | steady runs | decode fraction, median | FMA reading, median GFLOP/s |")
print("|---|---|---|---|---|")
order = {slow: 0, mid: 1, fast: 2}
for (name, spell), values in sorted(runs.items(), key=lambda item: (item[0][0], order[item[0][1]])):
    print(f"| {name} | {spell} | {len(values)} | {100 * statistics.median(values):.1f} % | "
          f"{statistics.median(fma[name]):.1f} |")
EOF
