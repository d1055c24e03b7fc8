#!/usr/bin/env bash
# The GRPO sampling bench's GPU setting on the device machine (docs/grpo.md, "GPU setting"): from the repo root with
# .gpu/ carried (make it here with scripts/gpu-pack.sh --grpo: a slim pack plus the task-family model in .gpu/rl-tiny).
# Runs a --quick preflight at the kv-heavy shape, then Qwen3-1.7B's shapes (random weights, the trained model's
# lengths replayed), 8 prompts x G=32, g=8, each sampler in a fresh JVM. Writes $OUT/grpo-bench-gpu.txt (everything
# printed) and $OUT/bench-grpo-gpu.jsonl (each sampler's line, the timing line, then the summary).
set -u
out=${OUT:-.gpu}
exec > >(tee "$out/grpo-bench-gpu.txt") 2>&1
d=$(mktemp -d) && tar xJf .gpu/frugal-gpu.tar.xz -C "$d"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv
B="bash $d/run.sh dev.frugal.cli.BenchGrpoDevice cuda --model .gpu/rl-tiny --threads 8"   # = frugal --device cuda bench grpo-sampling
echo "== preflight (kv-heavy shape, 2 prompts, on cuda)"
$B --quick --shape kv-heavy --json "$out/bench-grpo-gpu-quick.jsonl"; echo "rc=$?"
echo "== Qwen3-1.7B shapes"
$B --shape qwen3-1.7b --json "$out/bench-grpo-gpu.jsonl"; echo "rc=$?"
