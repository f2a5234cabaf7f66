#!/usr/bin/env bash
# Installs what mailferry needs to build and test (Debian 12 packages, as
# root) and fetches the test corpus. Cheap when everything is there already.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t packages < scripts/debian-packages.txt
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them)" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
# The packaged Dovecot service is not needed: the tests start their own.
if command -v systemctl >/dev/null 2>&1; then systemctl disable --now dovecot >/dev/null 2>&1 || true; fi
bash scripts/fetch-corpus.sh
