#!/usr/bin/env bash
# Packs the CLI for a GPU machine without Java (docs/gpu.md): builds if needed, then runs the workspace's
# ../shared/gpu/pack.sh on the CLI's class path, and copies the tiny OPT fixture next to it for scripts/gpu-smoke.sh.
# Output: .gpu/frugal-gpu.tar.xz (about 34 MB) and .gpu/opt/ — carry ".gpu" in the device call.
# --zo / --grpo: slim packs for scripts/gpu-zo-bench.sh / scripts/gpu-grpo-bench.sh.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
pack=${FRUGAL_GPU_PACK:-$root/../shared/gpu/pack.sh}
[ -f "$pack" ] || { echo "gpu-pack.sh: $pack not found: set FRUGAL_GPU_PACK to the workspace's shared/gpu/pack.sh" >&2; exit 1; }
cd "$root"
./frugal --version >/dev/null   # selects JDK 25 and builds the jars when they are missing or stale
. scripts/jdk.sh && frugal_select_jdk
jar=$(ls frugal-cli/target/frugal-cli-*.jar | head -n 1)
cp=$(cat frugal-cli/target/classpath.txt)
if [ "${1:-}" = "--zo" ]; then
  # ZO2's GPU bench only (scripts/gpu-zo-bench.sh): frugal-core, frugal-zo, libtorch/JavaCPP and Jackson, so that the
  # pack stays far below the 64 MiB a device call carries (the whole CLI class path packs to ~130 MB)
  export FRUGAL_JLINK_MODULES=${FRUGAL_JLINK_MODULES:-java.base,jdk.unsupported,java.logging,java.management,jdk.management}
  cp=$(tr ':' '\n' <<<"$cp" | grep -E '/(frugal-(core|zo)|javacpp|pytorch|openblas|jackson-(core|databind|annotations))-[^/]*\.jar$' | paste -sd: -)
elif [ "${1:-}" = "--grpo" ]; then
  # the GRPO sampling bench only (scripts/gpu-grpo-bench.sh, BenchGrpoDevice): frugal-core, frugal-rl, the CLI jar
  # (its bench classes), libtorch/JavaCPP and Jackson; the task-family model travels in .gpu/rl-tiny
  export FRUGAL_JLINK_MODULES=${FRUGAL_JLINK_MODULES:-java.base,jdk.unsupported,java.logging,java.management,jdk.management}
  cp=$(tr ':' '\n' <<<"$cp" | grep -E '/(frugal-(core|rl)|javacpp|pytorch|openblas|jackson-(core|databind|annotations))-[^/]*\.jar$' | paste -sd: -)
  model=${FRUGAL_RL_MODEL:-${FRUGAL_HOME:-$HOME/.frugal}/models/rl-tiny}
  [ -f "$model/config.json" ] || { echo "gpu-pack.sh --grpo: no model at $model: run 'frugal rl pretrain --out $model' (or set FRUGAL_RL_MODEL)" >&2; exit 1; }
  mkdir -p .gpu/rl-tiny && cp "$model"/config.json "$model"/model.safetensors "$model"/task_family.json .gpu/rl-tiny/
fi
bash "$pack" .gpu "$cp" "$jar"
fixture=${FRUGAL_FIXTURES:-$root/../shared/fixtures/hf-tiny}/opt
if [ -d "$fixture" ]; then
  mkdir -p .gpu/opt && cp "$fixture"/config.json "$fixture"/model.safetensors .gpu/opt/
fi
du -sh .gpu
