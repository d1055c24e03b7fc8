#!/usr/bin/env bash
# ZO2's GPU setting on the device machine (docs/zo2-bench.md, "On a GPU"): from the repo root with .gpu/ carried
# (make it here with scripts/gpu-pack.sh --zo: a slim pack of ~35 MB). Runs a --quick preflight, then `frugal --device cuda bench zo`: OPT-1.3B
# and OPT-6.7B shapes, 1 x 2048 tokens, bf16, modes mezo / inmem / zo2, each in a fresh JVM. Writes
# $OUT/zo-bench-gpu.txt (everything printed) and $OUT/bench-zo-gpu.jsonl (each mode's line, then the summary).
set -u
out=${OUT:-.gpu}
exec > >(tee "$out/zo-bench-gpu.txt") 2>&1
d=$(mktemp -d) && tar xJf .gpu/frugal-gpu.tar.xz -C "$d"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
M="bash $d/run.sh dev.frugal.cli.BenchZoDevice cuda"   # = frugal --device cuda bench zo, without the CLI's jars
echo "== preflight (quick model on cuda)"
$M --quick --steps 1 --warmup 1 --json "$out/bench-zo-gpu-quick.jsonl"; echo "rc=$?"
echo "== OPT-1.3B and OPT-6.7B shapes"
$M --steps "${STEPS:-3}" --warmup 1 --json "$out/bench-zo-gpu.jsonl"; echo "rc=$?"
