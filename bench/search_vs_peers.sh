#!/usr/bin/env bash
# Indexes the same Maildir (the SpamAssassin corpus, 6,046 unique messages)
# with mailferry (archive import, then archive reindex), notmuch and mu in
# one run, and prints messages/s, index size against the raw mail, and the
# median latency from the command line of each of 20 queries, with ratios.
# mailferry's search includes its audit event (an fsynced write), which
# the peers do not do. Goals (issue 11): indexing >= 1.5x mu's messages/s,
# index <= 0.6x raw, each query's median <= 0.5x notmuch's.
#   bash bench/search_vs_peers.sh [RUNS]   (needs: apt-get install notmuch maildir-utils)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
mailferry=${MAILFERRY:-build/cli/mailferry}
command -v notmuch >/dev/null && command -v mu >/dev/null || { echo "needs notmuch and mu (maildir-utils)" >&2; exit 2; }
work=$(mktemp -d /tmp/mailferry-search-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 - "$work/mail" <<'PY'
import glob, os, sys
root = sys.argv[1]
for d in ("cur", "new", "tmp"): os.makedirs(f"{root}/{d}")
n = 0
for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
    for f in sorted(glob.glob(f".cache/corpus/package/data/{group}/*.txt")):
        b = open(f, "rb").read()
        if b.startswith(b"From "): b = b.split(b"\n", 1)[1] if b"\n" in b else b""
        if not b.strip(): continue
        n += 1
        open(f"{root}/cur/{n}.{group}:2,S", "wb").write(b.replace(b"\r\n", b"\n"))
print(n, file=open(f"{root}/../count", "w"))
PY
count=$(cat "$work/count")
raw=$(du -sb "$work/mail" | cut -f1)
seconds() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }

mf_import=$(seconds "$mailferry" archive import --archive "$work/archive" "maildir:$work/mail" -q)
mf_reindex=$(seconds "$mailferry" archive reindex --archive "$work/archive")
mf_size=$(du -sb "$work/archive/index" | cut -f1)
cat >"$work/notmuch-config" <<CFG
[database]
path=$work/mail
[new]
tags=inbox
[search]
exclude_tags=
CFG
export NOTMUCH_CONFIG="$work/notmuch-config"
nm_index=$(seconds notmuch new)
nm_size=$(du -sb "$work/mail/.notmuch" | cut -f1)
mu init --maildir="$work/mail" --muhome="$work/mu" >/dev/null
mu_index=$(seconds mu index --muhome="$work/mu")
mu_size=$(du -sb "$work/mu" | cut -f1)

# mailferry | notmuch | mu: the same question in each one's words.
queries=(
  "razor|razor|razor"
  "subject:razor|subject:razor|subject:razor"
  "from:spamassassin|from:spamassassin|from:spamassassin"
  "linux kernel|linux and kernel|linux and kernel"
  "linux OR windows|linux or windows|linux or windows"
  "money NOT free|money and not free|money and not free"
  "\"free money\"|\"free money\"|\"free money\""
  "date:2002-08..2002-09|date:2002-08-01..2002-09-30|date:20020801..20020930"
  "python|python|python"
  "to:exmh|to:exmh|to:exmh"
  "subject:re|subject:re|subject:re"
  "perl*|perl*|perl*"
  "spam filter|spam and filter|spam and filter"
  "mortgage|mortgage|mortgage"
  "from:lists.sourceforge.net|from:lists.sourceforge.net|from:lists.sourceforge.net"
  "debian|debian|debian"
  "viagra OR cialis|viagra or cialis|viagra or cialis"
  "subject:ilug|subject:ilug|subject:ilug"
  "network security|network and security|network and security"
  "razor date:2002-09..2002-10|razor and date:2002-09-01..2002-10-31|razor and date:20020901..20021031"
)
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
latency() {  # runs the command RUNS times, prints the median in ms
  for ((i = 0; i < runs; i++)); do
    local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000))
  done | median
}
echo "$count messages, $((raw / 1000000)) MB raw; $runs runs a query (medians)"
printf "%-10s %10s %12s\n" "tool" "msgs/s" "index/raw"
printf "%-10s %10.0f %12.2f   (import %.1f s including the index; reindex alone %.1f s, compacted)\n" mailferry \
  "$(echo "$count / $mf_reindex" | bc -l)" "$(echo "$mf_size / $raw" | bc -l)" "$mf_import" "$mf_reindex"
printf "%-10s %10.0f %12.2f\n" notmuch "$(echo "$count / $nm_index" | bc -l)" "$(echo "$nm_size / $raw" | bc -l)"
printf "%-10s %10.0f %12.2f\n" mu "$(echo "$count / $mu_index" | bc -l)" "$(echo "$mu_size / $raw" | bc -l)"
printf "indexing: mailferry / mu %.2fx (goal >= 1.5)\n" "$(echo "($count / $mf_reindex) / ($count / $mu_index)" | bc -l)"
printf "\n%-45s %6s %6s %6s %8s %8s\n" "query (mailferry's words)" "hits" "mf ms" "nm ms" "mu ms" "mf/nm"
for q in "${queries[@]}"; do
  IFS='|' read -r mfq nmq muq <<<"$q"
  hits=$("$mailferry" search --archive "$work/archive" --output numbers --limit 100000 "$mfq" | wc -l)
  nmhits=$(notmuch count "$nmq")
  muhits=$(mu find --muhome="$work/mu" "$muq" 2>/dev/null | wc -l || true)
  mf=$(latency "$mailferry" search --archive "$work/archive" --output numbers --limit 50 "$mfq")
  nm=$(latency notmuch search --limit=50 "$nmq")
  mu_ms=$(latency mu find --muhome="$work/mu" --maxnum=50 "$muq")
  printf "%-45.45s %6s %6s %6s %8s %8.2f   (notmuch %s, mu %s hits)\n" "$mfq" "$hits" "$mf" "$nm" "$mu_ms" \
    "$(echo "$mf / ($nm + 0.001)" | bc -l)" "$nmhits" "$muhits"
done
