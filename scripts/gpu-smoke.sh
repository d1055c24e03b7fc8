#!/usr/bin/env bash
# GPU smoke test of the CLI (docs/gpu.md): on the device machine, from the repo root, with .gpu/ carried:
#   .gpu/frugal-gpu.tar.xz (scripts/gpu-pack.sh) and .gpu/opt (a copy of ../shared/fixtures/hf-tiny/opt).
# Runs info and generate through the pack/run recipe, then the ./frugal launcher with FRUGAL_GPU_TORCH; $OUT/log.txt.
set -u
exec > >(tee "${OUT:-.gpu}/log.txt") 2>&1
d=$(mktemp -d) && tar xJf .gpu/frugal-gpu.tar.xz -C "$d"
nvidia-smi -L
M="bash $d/run.sh dev.frugal.cli.Main"
P=53,149,313,438,120,199
echo "== run.sh info"; $M info; echo "rc=$?"
echo "== run.sh cuda greedy"; $M --device cuda generate --model .gpu/opt --prompt-ids $P --max-new-tokens 10 --greedy; echo "rc=$?"
echo "== run.sh cpu greedy"; $M generate --model .gpu/opt --prompt-ids $P --max-new-tokens 10 --greedy; echo "rc=$?"
echo "== run.sh cuda sampling"; $M --device cuda generate --model .gpu/opt --prompt-ids 2,100,200 --max-new-tokens 10 --seed 3 --top-p 0.9 --ignore-eos; echo "rc=$?"
echo "== run.sh cpu sampling"; $M generate --model .gpu/opt --prompt-ids 2,100,200 --max-new-tokens 10 --seed 3 --top-p 0.9 --ignore-eos; echo "rc=$?"
echo "== run.sh cuda:7 (absent)"; $M --device cuda:7 generate --model .gpu/opt --prompt-ids $P --max-new-tokens 2 --greedy; echo "rc=$?"
echo "== launcher with FRUGAL_GPU_TORCH (in a scratch copy: the packed jars stand in for a Maven build)"
w=$(mktemp -d)
cp -r frugal scripts "$w/"
mkdir -p "$w/frugal-cli/target" "$d/m2/org/bytedeco/cuda/13.1-9.19-1.5.13" "$d/cache"
cp "$d"/lib/frugal-cli-*.jar "$w/frugal-cli/target/"
ls "$d"/lib/*.jar | grep -v -e frugal-cli- -e pytorch-gpu-jni -e '/cuda-' | tr '\n' ':' > "$w/frugal-cli/target/classpath.txt"
cp "$d"/lib/cuda-*.jar "$d/m2/org/bytedeco/cuda/13.1-9.19-1.5.13/"
cp "$d/lib/pytorch-gpu-jni.jar" "$d/cache/pytorch-gpu-jni-2.10.0-1.5.13.jar"
torch=$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')
export JAVA_HOME="$d/jre" FRUGAL_NO_BUILD=1 FRUGAL_GPU_TORCH="$torch" FRUGAL_MAVEN_REPO="$d/m2" FRUGAL_GPU_CACHE="$d/cache"
model=$(pwd)/.gpu/opt
"$w/frugal" --threads 4 info; echo "rc=$?"
"$w/frugal" --device cuda generate --model "$model" --prompt-ids $P --max-new-tokens 10 --greedy; echo "rc=$?"
"$w/frugal" --device cuda generate --model "$model" --prompt-ids 2 --max-new-tokens 60 --greedy --ignore-eos; echo "rc=$?"
