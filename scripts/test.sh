#!/usr/bin/env bash
# The test command of the README: scripts/test.sh [extra Maven arguments, e.g. -pl frugal-core]
# Selects a JDK 25, installs the system packages the tests need, and runs `mvn verify` over every module with the
# Hugging Face reference fixtures. Exits non-zero when any test fails.
#   FRUGAL_FIXTURES=DIR   fixture root (default: ../shared/fixtures/hf-tiny next to the repository)
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
# shellcheck source=jdk.sh
. "$root/scripts/jdk.sh"
frugal_select_jdk || exit 1

# System packages the tests need (Debian names): graphviz draws the ACDC circuit PNG (frugal acdc).
apt_packages=(graphviz)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "test.sh: installing ${missing[*]}" >&2
  $sudo apt-get update -qq && $sudo apt-get install -y -qq "${missing[@]}"
fi

fixtures=${FRUGAL_FIXTURES:-$root/../shared/fixtures/hf-tiny}
if [ ! -d "$fixtures" ]; then
  echo "test.sh: no fixture root at $fixtures: set FRUGAL_FIXTURES=DIR (the layout of ../shared/fixtures/README.md)" >&2
  exit 1
fi
fixtures=$(cd "$fixtures" && pwd)

command -v mvn >/dev/null || { echo "test.sh: Maven (mvn) is not on PATH: install Maven 3.8+ (apt-get install maven)" >&2; exit 1; }
cd "$root"
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
echo "test.sh: Java $(frugal_java_major "$JAVA_HOME") at $JAVA_HOME; fixtures $fixtures" >&2
exec mvn -B -ntp verify -Dfrugal.fixtures="$fixtures" "$@"
