#!/usr/bin/env bash
# On the GPU machine (docs/gpu.md), from the repo root with .gpu/ carried (scripts/gpu-pack.sh with the test jars):
# runs the Hugging Face conformance suites with -Dfrugal.device=cuda (tolerance 1e-3) on the shared fixtures copied to
# .gpu/hf-tiny and on the committed variants, then the CLI smoke test. Logs go to $OUT.
set -u
out=${OUT:-.gpu}
d=$(mktemp -d) && tar xJf .gpu/frugal-gpu.tar.xz -C "$d"
nvidia-smi -L
echo "== conformance suites on cuda"
timeout 300 bash "$d/run.sh" -Dfrugal.device=cuda -Dfrugal.fixtures=.gpu/hf-tiny -Dfrugal.fixtures.variants=fixtures/hf-variants \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class=dev.frugal.model.DecoderConformanceTest --select-class=dev.frugal.model.EncoderConformanceTest \
  2>&1 | tee "$out/conformance-cuda.txt" | tail -60
echo "rc=${PIPESTATUS[0]}"
