#!/usr/bin/env bash
# How close per-message frames, packs and one solid stream come on the
# corpus (docs/archive.md, Size). Takes about a minute.
#   bash bench/compression_options.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
g++ -O2 -std=c++20 bench/compression_options.cpp -o "$out/compression_options" -lzstd
"$out/compression_options" .cache/corpus/package/data
