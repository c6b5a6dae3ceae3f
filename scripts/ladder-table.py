#!/usr/bin/env python3
"""Prints a suite run's results.json as one Markdown table per model: a row per variant
(the baseline first), a column per slice metric, each cell the rate with its 95 %
confidence interval. Usage: ladder-table.py RESULTS.json [MODEL]"""
import json
import sys


def cell(side):
    low, high = side["ci95"]
    return "%.1f %% [%.1f, %.1f]" % (100 * side["rate"], 100 * low, 100 * high)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    results = json.load(open(sys.argv[1], encoding="utf-8"))
    for model in results["models"]:
        if len(sys.argv) == 3 and model["name"] != sys.argv[2]:
            continue
        columns, rows, baseline = [], {}, {}
        for variant in model["variants"]:
            for sl in variant["slices"]:
                for group in sl["groups"]:
                    if group.get("column"):
                        continue  # sub-slices: the slice total is enough here
                    for m in group["metrics"]:
                        key = "%s (%s)" % (sl["name"], m["scorer"])
                        if key not in columns:
                            columns.append(key)
                        baseline[key] = cell(m["baseline"]) + " n=%d" % m["n"]
                        rows.setdefault(variant["name"], {})[key] = cell(m["candidate"])
        print("### %s\n" % model["name"])
        print("| rung | " + " | ".join(columns) + " |")
        print("|---" * (len(columns) + 1) + "|")
        print("| baseline | " + " | ".join(baseline.get(c, "") for c in columns) + " |")
        for name, values in rows.items():
            print("| %s | " % name + " | ".join(values.get(c, "") for c in columns) + " |")
        print()


if __name__ == "__main__":
    main()
