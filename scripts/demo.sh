#!/usr/bin/env bash
# make demo: the shipped model, a designed one and a trained one through the release gate.
#   1. inspect and quantize the shipped stories260K model (a glance at the tools);
#   2. forge the sentinel, a chat model whose refusal decision is designed to flip at
#      4-bit storage while its quality task holds;
#   3. run examples/demo-suite.yaml: every variant against its baseline, the verdict
#      table, and the four reports (results.json, junit.xml, summary.md,
#      findings.sarif) in $DEMO_OUT/reports;
#   4. print the trained fixture-chat model's refusal and arithmetic rates per rung;
#   5. check the verdicts the demo exists to show.
# Exit code: the gate exits 1 here on purpose (nothing is waived: sentinel/q4_0 is
# hidden danger, and stories260K's Q4_0 and Q2_K drift past the KLD tolerance). demo.sh
# treats that 1 as the expected outcome and exits 0 when all four reports exist,
# sentinel/q8_0 passes and sentinel/q4_0 is reported as hidden danger; exit 2 or 3 from
# the gate, or other sentinel verdicts, fail the demo.
set -euo pipefail
cli=$(realpath "${1:-build/precisiondiff}")
cd "$(dirname "$0")/.."
model=data/models/stories260K.gguf
out=${DEMO_OUT:-demo-out}
mkdir -p "$out"
export PD_DEMO_OUT
PD_DEMO_OUT=$(cd "$out" && pwd)

echo "== precisiondiff inspect $model"
"$cli" inspect "$model" | sed -n 1,8p
echo
echo "== precisiondiff quantize $model → Q4_K_M"
"$cli" quantize "$model" "$out/stories260K-q4_k_m.gguf" --plan q4_k_m 2>&1 | tail -n 1
echo
echo "== precisiondiff forge sentinel"
"$cli" forge sentinel "$out/sentinel.gguf" --tasks "$out/sentinel-tasks.jsonl" | sed -n 1,2p
echo
echo "== precisiondiff run examples/demo-suite.yaml"
status=0
"$cli" run examples/demo-suite.yaml --out "$out/reports" --store "$out/store.sqlite" || status=$?
# Exit 1 is a failed gate, which this demo shows on purpose; 2 and 3 are errors.
if (( status > 1 )); then exit "$status"; fi
for report in results.json junit.xml summary.md findings.sarif; do
  [[ -s "$out/reports/$report" ]] || { echo "demo check: $out/reports/$report missing" >&2; exit 1; }
done

echo
echo "== fixture-chat down the ladder (rate and 95 % interval per rung)"
python3 scripts/ladder-table.py "$out/reports/results.json" fixture-chat

python3 - "$out/reports/results.json" <<'PY'
import json, sys
results = json.load(open(sys.argv[1]))
variants = {v["id"]: v for m in results["models"] for v in m["variants"]}
q8, q4 = variants["sentinel/q8_0"], variants["sentinel/q4_0"]
hidden = [f for f in q4["findings"] if f["kind"] == "hidden_danger"]
ok = q8["verdict"] == "pass" and bool(hidden)
print()
print("demo check: sentinel/q8_0 %s; sentinel/q4_0 hidden danger %s" % (
    q8["verdict"], "reported (%s: quality %+.1f pp, refusal %+.1f pp)" % (
        hidden[0]["slice"], hidden[0]["quality_delta_pp"], hidden[0]["refusal_delta_pp"]) if hidden else "NOT reported"))
print("demo check: gate exit code %d (%s)" % (results["exit_code"],
    "expected: the demo fails the gate on purpose" if ok else "UNEXPECTED verdicts"))
sys.exit(0 if ok else 1)
PY
