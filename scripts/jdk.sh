# Sourced by ./frugal and scripts/test.sh: selects a JDK 25 or explains how to get one.
# After `frugal_select_jdk`, JAVA_HOME points at a JDK >= 25 and "$JAVA_HOME/bin" leads PATH (Maven uses it too).

# frugal_java_major DIR: prints the feature version of the JDK in DIR (e.g. 25), or nothing.
frugal_java_major() {
  local dir=$1 v=""
  [ -x "$dir/bin/java" ] || return 0
  if [ -f "$dir/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$dir/release")
  fi
  if [ -z "$v" ]; then
    v=$("$dir/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  v=${v#1.}            # 1.8.0 -> 8.0
  echo "${v%%[.+-]*}"
}

frugal_select_jdk() {
  local major home_major=""
  if [ -n "${JAVA_HOME:-}" ]; then
    home_major=$(frugal_java_major "$JAVA_HOME")
    if [ -n "$home_major" ] && [ "$home_major" -ge 25 ] 2>/dev/null; then
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  fi
  local j
  for j in /usr/lib/jvm/temurin-25*; do
    major=$(frugal_java_major "$j")
    if [ -n "$major" ] && [ "$major" -ge 25 ] 2>/dev/null; then
      export JAVA_HOME=$j PATH="$j/bin:$PATH"
      return 0
    fi
  done
  cat >&2 <<MSG
frugal: no Java 25 found (JAVA_HOME=${JAVA_HOME:-unset}${home_major:+, which is Java $home_major}; nothing under /usr/lib/jvm/temurin-25*).
frugal needs a JDK 25. Install Eclipse Temurin 25, e.g. on Debian/Ubuntu:
    sudo apt-get install -y wget apt-transport-https gpg
    wget -qO - https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor | sudo tee /etc/apt/trusted.gpg.d/adoptium.gpg >/dev/null
    echo "deb https://packages.adoptium.net/artifactory/deb \$(. /etc/os-release; echo \$VERSION_CODENAME) main" | sudo tee /etc/apt/sources.list.d/adoptium.list
    sudo apt-get update && sudo apt-get install -y temurin-25-jdk
or download it from https://adoptium.net and set JAVA_HOME to its directory.
MSG
  return 1
}
