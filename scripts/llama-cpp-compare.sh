#!/usr/bin/env bash
# Issue 12's comparison with llama.cpp: prefill and decode tokens/s of the embedded
# engine (`precisiondiff bench`) and of llama.cpp's `llama-bench` on the same GGUF files
# and thread counts, in paired rounds (each round runs both engines back to back per
# file and thread count, so that a busy spell of a shared machine hits both), and the
# quantizer against `llama-quantize` (time, and whether the bytes are identical).
#
# llama.cpp is not part of this project and nothing here builds or downloads it: point
# LLAMA_BIN at a directory holding llama-bench (and llama-quantize for the quantizer
# rows), built for this machine. BENCHMARKS.md says which build measured its figures.
#
# Usage: scripts/llama-cpp-compare.sh MODEL.gguf... 
# Knobs (environment): LLAMA_BIN (required), PD (precisiondiff binary, default
# build/precisiondiff), ROUNDS (3), THREADS ("1 2"), PROMPT (64), GEN (16),
# QUANTIZE_FROM (an F16 GGUF: also time quantizing it to QUANTIZE_PLANS, default
# "q8_0 q4_0 q4_k_m").
# Output: one line per engine, file, thread count and round, then the medians and the
# ratio ours / llama.cpp.
#
# What differs between the two measurements: llama-bench's decode test (tg) starts from
# an empty context, ours decodes after the PROMPT-token prefill; both compute the logits
# of the last prompt token only during prefill.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
: "${LLAMA_BIN:?set LLAMA_BIN to the directory holding llama-bench}"
pd=${PD:-$here/build/precisiondiff}
rounds=${ROUNDS:-3}
threads=${THREADS:-"1 2"}
prompt=${PROMPT:-64}
gen=${GEN:-16}
[[ $# -ge 1 ]] || { echo "usage: $0 MODEL.gguf..." >&2; exit 2; }
for model in "$@"; do [[ -f $model ]] || { echo "$model: no such file" >&2; exit 2; }; done

results=$(mktemp)
trap 'rm -f "$results"' EXIT

llama_run() {  # model threads -> "prefill decode"
  "$LLAMA_BIN/llama-bench" -m "$1" -p "$prompt" -n "$gen" -r 3 -t "$2" -o csv 2>/dev/null | python3 -c '
import csv, sys
v = {}
for row in csv.DictReader(sys.stdin):
    v["pp" if int(row["n_prompt"]) > 0 else "tg"] = float(row["avg_ts"])
print("%.2f %.2f" % (v["pp"], v["tg"]))'
}

seconds() {  # command... -> wall seconds, output discarded
  local start=$EPOCHREALTIME
  "$@" >/dev/null 2>&1
  python3 -c "import sys; print('%.2f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$start" "$EPOCHREALTIME"
}

ours_run() {
  "$pd" bench "$1" --threads "$2" --prompt-tokens "$prompt" --gen-tokens "$gen" --runs 3 --json --no-history 2>/dev/null |
    python3 -c 'import json, sys; d = json.load(sys.stdin); print("%.2f %.2f" % (d["prefill_tps"], d["decode_tps"]))'
}

echo "== $(date -u '+%F %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for model in "$@"; do
    for t in $threads; do
      echo "$round $(basename "$model") $t llama.cpp $(llama_run "$model" "$t")" | tee -a "$results"
      echo "$round $(basename "$model") $t ours $(ours_run "$model" "$t")" | tee -a "$results"
    done
  done
done

python3 - "$results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    _, model, threads, engine, pp, tg = line.split()
    rows.setdefault((model, int(threads)), {}).setdefault(engine, []).append((float(pp), float(tg)))
print("\n| file | threads | prefill tok/s llama.cpp | ours | ratio | decode tok/s llama.cpp | ours | ratio |")
print("|---|---|---|---|---|---|---|---|")
for (model, threads), engines in sorted(rows.items()):
    med = {e: (statistics.median(p for p, _ in v), statistics.median(d for _, d in v)) for e, v in engines.items()}
    l, o = med["llama.cpp"], med["ours"]
    print(f"| {model} | {threads} | {l[0]:.1f} | {o[0]:.1f} | {o[0] / l[0]:.2f} | {l[1]:.1f} | {o[1]:.1f} | {o[1] / l[1]:.2f} |")
EOF

if [[ -n ${QUANTIZE_FROM:-} ]]; then
  [[ -x $LLAMA_BIN/llama-quantize ]] || { echo "no llama-quantize in $LLAMA_BIN" >&2; exit 2; }
  work=$(mktemp -d)
  trap 'rm -rf "$work" "$results"' EXIT
  echo
  echo "| plan | threads | llama-quantize s (rounds) | ours s (rounds) | tensors byte-identical |"
  echo "|---|---|---|---|---|"
  for plan in ${QUANTIZE_PLANS:-q8_0 q4_0 q4_k_m}; do
    for t in $threads; do
      theirs="" ours=""
      for round in $(seq 1 "$rounds"); do
        theirs+=" $(seconds "$LLAMA_BIN/llama-quantize" "$QUANTIZE_FROM" "$work/l.gguf" "${plan^^}" "$t")"
        ours+=" $(seconds "$pd" quantize "$QUANTIZE_FROM" "$work/p.gguf" --plan "$plan" --allow-requantize --threads "$t")"
      done
      same=$(python3 "$here/scripts/gguf-tensor-compare.py" "$work/l.gguf" "$work/p.gguf")
      echo "| $plan | $t |$theirs |$ours | $same |"
    done
  done
fi
