# Sourced by ./frugal when FRUGAL_GPU_TORCH is set (docs/gpu.md). libtorch's own CUDA build for Java is 458 MB; this
# instead runs the small JavaCPP CUDA glue of org.bytedeco:pytorch (libjnitorch*.so) against the PyTorch CUDA libraries
# a machine already has (verified: the 2.10 glue on PyTorch 2.11 + CUDA 13), the recipe of ../shared/gpu/run.sh.

# frugal_gpu_torch TORCH_DIR CLASSPATH: sets LD_LIBRARY_PATH, the global `cp` (CPU natives swapped for the CUDA glue)
# and the array `java_opts_gpu`; returns 1 with a message when TORCH_DIR is not a CUDA build of PyTorch.
frugal_gpu_torch() {
  local torch=${1%/} cp_in=$2
  local tl=$torch/lib
  if [ ! -f "$tl/libtorch_cuda.so" ]; then
    echo "frugal: FRUGAL_GPU_TORCH=$1 has no lib/libtorch_cuda.so: point it at the torch package of a CUDA build of PyTorch," >&2
    echo "        e.g. FRUGAL_GPU_TORCH=\$(python3 -c 'import os, torch; print(os.path.dirname(torch.__file__))')" >&2
    return 1
  fi
  local sp nv
  sp=$(dirname "$torch")
  nv=$(find "$sp/nvidia" -name 'lib*.so*' -printf '%h\n' 2>/dev/null | sort -u | tr '\n' ':')
  nv=${nv%:}
  export LD_LIBRARY_PATH="$tl${nv:+:$nv}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

  # the presets' versions, from the class path the build wrote
  local ver cver=${FRUGAL_GPU_CUDA_PRESET:-13.1-9.19-1.5.13} m2=${FRUGAL_MAVEN_REPO:-$HOME/.m2/repository}
  ver=$(tr ':' '\n' <<<"$cp_in" | sed -n 's#.*/pytorch-\([0-9][^/]*-[0-9.]*\)\.jar$#\1#p' | head -n 1)
  [ -n "$ver" ] || { echo "frugal: no org.bytedeco pytorch jar on the class path; rebuild with 'mvn -B -DskipTests package'" >&2; return 1; }
  local gpujar=$m2/org/bytedeco/pytorch/$ver/pytorch-$ver-linux-x86_64-gpu.jar
  local cudajar=$m2/org/bytedeco/cuda/$cver/cuda-$cver.jar
  local cudajni=$m2/org/bytedeco/cuda/$cver/cuda-$cver-linux-x86_64.jar
  local cache=${FRUGAL_GPU_CACHE:-$root/.gpu}
  local slim=$cache/pytorch-gpu-jni-$ver.jar
  if [ ! -f "$slim" ]; then
    if [ ! -f "$gpujar" ]; then
      echo "frugal: fetching org.bytedeco:pytorch:$ver:linux-x86_64-gpu once (458 MB; only its JNI glue is kept) ..." >&2
      mvn -q -B dependency:get -Dartifact="org.bytedeco:pytorch:$ver:jar:linux-x86_64-gpu" -Dtransitive=false >&2 || return 1
    fi
    local work
    work=$(mktemp -d)
    (cd "$work" && "$JAVA_HOME/bin/jar" xf "$gpujar" org/bytedeco/pytorch/linux-x86_64-gpu/libjnitorch.so \
      org/bytedeco/pytorch/linux-x86_64-gpu/libjnitorch_cuda.so) || { rm -rf "$work"; return 1; }
    mkdir -p "$cache" && "$JAVA_HOME/bin/jar" cf "$slim" -C "$work" org && rm -rf "$work"
  fi
  for j in "$cudajar" "$cudajni"; do
    if [ ! -f "$j" ]; then
      local classifier=""
      [ "$j" = "$cudajni" ] && classifier=":jar:linux-x86_64"
      mvn -q -B dependency:get -Dartifact="org.bytedeco:cuda:$cver$classifier" -Dtransitive=false >&2 || return 1
    fi
  done
  cp=$(tr ':' '\n' <<<"$cp_in" | grep -v -e "/pytorch-$ver-linux-x86_64.jar$" -e '^$' | tr '\n' ':')"$slim:$cudajar:$cudajni"
  java_opts_gpu=(-Djavacpp.platform.extension=-gpu -Dorg.bytedeco.javacpp.pathsFirst=true "-Djava.library.path=$tl${nv:+:$nv}")
}
