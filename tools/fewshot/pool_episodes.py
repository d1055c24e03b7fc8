#!/usr/bin/env python3
"""Pool the per-episode results of several few-shot runs into one table.

`frugal bench fewshot` and `frugal fewshot eval` write one metrics.jsonl line per episode (method, target, shots,
episode, acc). Runs with the same seed and settings that cover different episode ranges (`fewshot eval
--first-episode F`) continue each other exactly, so their episodes pool. This prints, per shots, a Markdown table of
mean accuracy ± 95 % half-width (1.96 s/sqrt(n), as frugal's Summary) per method and target, the mean over targets
(half-width sqrt(sum ci^2)/T), and the paired difference of one method against every other on the same episodes.

usage: pool_episodes.py [--paired idp] metrics.jsonl [metrics.jsonl ...]
"""
import argparse
import json
import math
import sys
from collections import defaultdict


def summary(xs):
    n = len(xs)
    m = sum(xs) / n
    s = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1)) if n > 1 else 0.0
    return m, 1.96 * s / math.sqrt(n)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--paired", default="idp", help="method whose paired differences to the others are printed")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    acc = defaultdict(dict)  # (shots, method, target) -> {episode: acc}
    for f in a.files:
        with open(f) as fh:
            for line in fh:
                r = json.loads(line)
                if r.get("summary") or "episode" not in r:
                    continue
                key = (r["shots"], r["method"], r["target"])
                prev = acc[key].get(r["episode"])
                if prev is not None and prev != r["acc"]:
                    sys.exit(f"{f}: {key} episode {r['episode']} has accuracy {r['acc']} here and {prev} in another file:"
                             " the runs do not continue each other (seed or settings differ)")
                acc[key][r["episode"]] = r["acc"]
    for shots in sorted({k[0] for k in acc}):
        methods = list(dict.fromkeys(k[1] for k in acc if k[0] == shots))
        targets = list(dict.fromkeys(k[2] for k in acc if k[0] == shots))
        counts = {len(acc[(shots, m, t)]) for m in methods for t in targets if (shots, m, t) in acc}
        print(f"\n5-way {shots}-shot, episodes per cell: {sorted(counts)}\n")
        print("| method | " + " | ".join(targets) + " | mean |")
        print("|---" * (len(targets) + 2) + "|")
        for m in methods:
            cells, ci2, means = [], 0.0, []
            for t in targets:
                xs = list(acc[(shots, m, t)].values()) if (shots, m, t) in acc else []
                if not xs:
                    cells.append("—")
                    continue
                mu, ci = summary(xs)
                cells.append(f"{100 * mu:.2f} ± {100 * ci:.2f}")
                means.append(mu)
                ci2 += ci * ci
            mean = f"{100 * sum(means) / len(means):.2f} ± {100 * math.sqrt(ci2) / len(means):.2f}" if len(means) == len(targets) else "—"
            print(f"| {m} | " + " | ".join(cells) + f" | {mean} |")
        if a.paired in methods:
            print()
            for m in methods:
                if m == a.paired:
                    continue
                diffs, ci2 = [], 0.0
                for t in targets:
                    p, q = acc.get((shots, a.paired, t), {}), acc.get((shots, m, t), {})
                    common = sorted(set(p) & set(q))
                    if not common:
                        continue
                    mu, ci = summary([p[e] - q[e] for e in common])
                    diffs.append(mu)
                    ci2 += ci * ci
                if len(diffs) == len(targets):
                    print(f"paired {a.paired} − {m}: {100 * sum(diffs) / len(diffs):+.2f} ± {100 * math.sqrt(ci2) / len(diffs):.2f} points"
                          " (mean over targets of per-target paired differences)")


if __name__ == "__main__":
    main()
