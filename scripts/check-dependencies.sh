#!/usr/bin/env bash
# Checks that every #include crosses only an arrow docs/ARCHITECTURE.md
# allows: its table gives each folder and the folders it may depend on (the
# last column; words that are not folders of the table, such as libraries,
# are not checked; "all of the above" means every folder of an earlier row).
# An include belongs to the longest folder of the table its path starts with.
# A folder's detail/ subfolder is internal: nothing outside the folder includes from it.
#   check-dependencies.sh [ROOT]   check the tree at ROOT (default: this checkout)
#   check-dependencies.sh --self-test   prove that a planted wrong include fails
set -euo pipefail

if [ "${1:-}" = "--self-test" ]; then
  here="$(cd "$(dirname "$0")/.." && pwd)"
  plant="$(mktemp -d)"
  trap 'rm -rf "$plant"' EXIT
  mkdir -p "$plant/docs" "$plant/core"
  cp "$here/docs/ARCHITECTURE.md" "$plant/docs/"
  printf '#include "core/error.h"\n#include "migrate/copier.h"\n' >"$plant/core/planted.cpp"
  if out=$(bash "$0" "$plant" 2>&1); then
    echo "check-dependencies: the self-test's planted include (core -> migrate) was not caught" >&2
    exit 1
  fi
  case "$out" in
    *"core/planted.cpp:2"*"migrate"*) echo "check-dependencies: self-test OK (a planted core -> migrate include fails)" ;;
    *) echo "check-dependencies: the self-test failed for another reason: $out" >&2; exit 1 ;;
  esac
  exit 0
fi

root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

# "folder<TAB>allowed allowed ..." for every row of the table.
rows=$(awk -F'|' '
  /^\| `[^`]+` \|/ {
    folder = $2; gsub(/^ *`|\/?` *$/, "", folder)
    deps = $(NF - 1)
    order[++n] = folder; dep[folder] = deps
  }
  END {
    for (i = 1; i <= n; i++) {
      f = order[i]; line = f "\t"
      d = dep[f]
      if (d ~ /all of the above/) for (j = 1; j < i; j++) line = line " " order[j]
      m = split(d, words, /[ ,()]+/)
      for (k = 1; k <= m; k++) { w = words[k]; sub(/\/$/, "", w); if (w in dep) line = line " " w }
      print line
    }
  }' docs/ARCHITECTURE.md)
[ -n "$rows" ] || { echo "check-dependencies: no folder table in docs/ARCHITECTURE.md" >&2; exit 1; }
folders=$(cut -f1 <<<"$rows")

failures=0
# Every library folder has a row: code in a folder the table does not know is checked by nothing.
while IFS= read -r cmake; do
  dir=$(dirname "$cmake")
  grep -qx "$dir" <<<"$folders" && continue
  echo "$dir/: a library (mf_module) with no row in docs/ARCHITECTURE.md" >&2
  failures=$((failures + 1))
done < <(grep -l '^mf_module(' */CMakeLists.txt 2>/dev/null || true)

# The table's folder that holds path (the longest prefix), or nothing.
owner() {
  local path="$1" best=""
  while read -r f; do
    case "$path" in "$f"/*) [ ${#f} -gt ${#best} ] && best="$f" ;; esac
  done <<<"$folders"
  printf '%s' "$best"
}

while IFS=$'\t' read -r folder allowed; do
  [ -d "$folder" ] || continue
  while IFS= read -r file; do
    [ "$(owner "$file")" = "$folder" ] || continue  # a deeper row's file is checked there
    while IFS=: read -r line include; do
      target=$(owner "$include")
      [ -z "$target" ] || [ "$target" = "$folder" ] && continue
      case "$include" in
        "$target"/detail/*)  # a folder's internals are its own, whatever the arrows
          echo "$file:$line: includes \"$include\": $target/detail/ is internal to $target/ (docs/ARCHITECTURE.md)" >&2
          failures=$((failures + 1))
          continue ;;
      esac
      case " $allowed " in *" $target "*) continue ;; esac
      echo "$file:$line: includes \"$include\": $folder/ may not depend on $target/ (docs/ARCHITECTURE.md)" >&2
      failures=$((failures + 1))
    done < <(grep -no '^#include "[^"]*"' "$file" | sed -E 's/^([0-9]+):#include "(.*)"$/\1:\2/')
  done < <(find "$folder" -type f \( -name '*.cpp' -o -name '*.h' \) | sort)
done <<<"$rows"

if [ "$failures" -gt 0 ]; then
  echo "check-dependencies: $failures fault(s): the code does not follow docs/ARCHITECTURE.md" >&2
  exit 1
fi
echo "check-dependencies: every include follows docs/ARCHITECTURE.md"
