#!/usr/bin/env bash
# The hunt's acceptance experiments (issue 10), reproducible end to end:
#
#   1. refusal flips on a forge sentinel, f32 vs q4_0: ga, mcmc and vanilla on the same
#      token budget over several search seeds; every unique hit judged by the sentinel's
#      oracle (--oracle);
#   2. --objective kld on stories260K, f32 vs q4_0: the mean KLD of the best distinct
#      prompts under the baseline-perplexity cap, guided vs vanilla.
#
# Usage: scripts/hunt-bench.sh [BUILD_DIR] [OUT_DIR]
# Knobs (environment): SEEDS (5), SENTINEL_BUDGET (40000), KLD_BUDGET (100000), MIN_KLD (0.5),
# THREADS (1), LIMIT (seed prompts, 100), FLIP_BAND (0.02).
# BENCHMARKS.md's sentinel table: FLIP_BAND / SENTINEL_BUDGET = 0.02 / 40000, 0.005 / 80000,
# 0.003 / 160000 and 0.002 / 320000; the 10x point of issue 10 is 0.002 / 160000 (SEEDS=10
# for BENCHMARKS.md's ten-seed table).
# Results: OUT_DIR/sentinel/comparison.json, OUT_DIR/kld/comparison.json, and the
# tables on stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
out=${2:-$here/hunt-bench-out}
pd=$build/precisiondiff
seeds=${SEEDS:-5}
threads=${THREADS:-1}
limit=${LIMIT:-100}
mkdir -p "$out"

echo "== $(date -u +%F) $(uname -m), $(nproc) cores, $threads thread(s) per model"
sentinel=$out/sentinel.gguf
if [[ ! -f $sentinel ]]; then
  "$pd" forge sentinel "$sentinel" --sets "$here/data/sets" --words 700 --flip-band "${FLIP_BAND:-0.02}"
fi

echo "== refusal flips: sentinel f32 vs q4_0, budget ${SENTINEL_BUDGET:-40000} tokens, $seeds seeds"
"$pd" hunt "$sentinel" --base f32 --cand q4_0 \
  --inputs "$here/data/sets/advbench_harmful_behaviors.csv" --column goal --limit "$limit" \
  --strategy ga,mcmc,vanilla --repeat "$seeds" --budget "${SENTINEL_BUDGET:-40000}" \
  --population 16 --confirm-tokens 16 --max-minimize-tests 8 --threads "$threads" --oracle --out "$out/sentinel"

echo "== kld: stories260K f32 vs q4_0, budget ${KLD_BUDGET:-100000} tokens, $seeds seeds"
"$pd" hunt "$here/data/models/stories260K.gguf" --base f32 --cand q4_0 --objective kld --no-chat \
  --inputs "$here/data/hunt/story-seeds.txt" --min-kld "${MIN_KLD:-0.5}" \
  --strategy ga,mcmc,vanilla --repeat "$seeds" --budget "${KLD_BUDGET:-100000}" \
  --population 16 --threads "$threads" --out "$out/kld"
