#!/usr/bin/env bash
# Prints the home of a JDK 21 or newer: $JAVA_HOME if it is one, else the `java` on the PATH, else the newest under the
# usual install folders. Exits 1 with a message when there is none.
set -euo pipefail

major_of() { # $1 = java home; prints the feature version or nothing
  local release="$1/release" v
  [ -x "$1/bin/javac" ] || return 0
  if [ -f "$release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")
  else
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  fi
  echo "${v:-}"
}

ok() { local m; m=$(major_of "$1"); [ -n "$m" ] && [ "$m" -ge 21 ]; }

if [ -n "${JAVA_HOME:-}" ] && ok "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
if command -v javac >/dev/null 2>&1; then
  home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
  if ok "$home"; then echo "$home"; exit 0; fi
fi
best=""; best_major=0
for d in /usr/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/*; do
  [ -d "$d" ] || continue
  m=$(major_of "$d")
  if [ -n "$m" ] && [ "$m" -ge 21 ] && [ "$m" -gt "$best_major" ]; then best="$d"; best_major=$m; fi
done
if [ -n "$best" ]; then echo "$best"; exit 0; fi
echo "No JDK 21 or newer found (looked at JAVA_HOME, the PATH and /usr/lib/jvm). Install one, e.g. 'apt-get install openjdk-21-jdk-headless' or Temurin 21+, or set JAVA_HOME." >&2
exit 1
