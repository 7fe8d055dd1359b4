#!/usr/bin/env bash
# Installs the Debian packages given as arguments, only those missing.
# Uses apt-get as root, or sudo; says clearly what to do when neither is possible.
set -euo pipefail
missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "sluice: installing missing Debian packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "sluice: cannot install ${missing[*]}: not root and sudo is not available." >&2
  echo "        Run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q || echo "sluice: apt-get update failed; trying the install with the current lists" >&2
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
