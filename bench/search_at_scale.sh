#!/usr/bin/env bash
# Search at scale: a generated archive of N messages (default 1,000,000:
# the SpamAssassin corpus repeated, each copy with a fresh Message-ID and
# its Date: moved by whole days, so every message is unique), imported and
# indexed with mailferry, then the 20 queries of search_vs_peers.sh, each
# run RUNS times from the command line. Prints import and index rates,
# peak memory, index size against the raw mail, and each query's median
# with its hits. Goal (issue 11): every query's median under 100 ms.
#   bash bench/search_at_scale.sh [N] [RUNS]   (needs about 2.2x N x 5.4 KB of disk; KEEP=1 keeps it)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
runs=${2:-5}
mailferry=${MAILFERRY:-build/cli/mailferry}
work=$(mktemp -d /tmp/mailferry-scale-bench-XXXXXX)
[ -n "${KEEP:-}" ] && echo "work directory kept: $work" || trap 'rm -rf "$work"' EXIT
python3 - "$work/mail" "$n" <<'PY'
import glob, os, re, sys, email.utils
root, n = sys.argv[1], int(sys.argv[2])
for d in ("cur", "new", "tmp"): os.makedirs(f"{root}/{d}")
corpus = []
for group in ("easy-ham-1", "easy-ham-2", "hard-ham-1", "spam-1", "spam-2"):
    for f in sorted(glob.glob(f".cache/corpus/package/data/{group}/*.txt")):
        b = open(f, "rb").read()
        if b.startswith(b"From "): b = b.split(b"\n", 1)[1] if b"\n" in b else b""
        if b.strip(): corpus.append(b.replace(b"\r\n", b"\n"))
head_end = re.compile(rb"\n\n")
def fresh(b, copy, i):
    end = head_end.search(b)
    head, body = (b[:end.start() + 1], b[end.start() + 1:]) if end else (b, b"")
    head = re.sub(rb"(?im)^message-id:.*\n(?:[ \t].*\n)*", b"", head)
    m = re.search(rb"(?im)^date:[ \t]*(.*)\n", head)
    when = email.utils.parsedate_tz(m.group(1).decode("latin-1")) if m else None
    stamp = (email.utils.mktime_tz(when) if when else 1030000000) - copy * 86400
    head = re.sub(rb"(?im)^date:.*\n(?:[ \t].*\n)*", b"", head)
    extra = f"Message-ID: <{copy}.{i}@scale.bench.invalid>\nDate: {email.utils.formatdate(stamp)}\n".encode()
    return extra + head + body
count = 0
for copy in range(n // len(corpus) + 1):
    for i, b in enumerate(corpus):
        if count == n: break
        open(f"{root}/cur/{count}.{copy}:2,S", "wb").write(fresh(b, copy, i))
        count += 1
PY
raw=$(du -sb "$work/mail" | cut -f1)
start=$(date +%s.%N)
/usr/bin/time -f "%M" -o "$work/import-rss" "$mailferry" archive import --archive "$work/archive" "maildir:$work/mail" -q \
  >"$work/import.log" 2>&1
end=$(date +%s.%N)
index_size=$(du -sb "$work/archive/index" | cut -f1)
printf "%d messages, %d MB raw\n" "$n" "$((raw / 1000000))"
printf "import with index: %.0f s, %.0f messages/s, peak RSS %d MB; index %.2fx raw\n" "$(echo "$end - $start" | bc)" \
  "$(echo "$n / ($end - $start)" | bc -l)" "$(($(cat "$work/import-rss") / 1024))" "$(echo "$index_size / $raw" | bc -l)"
queries=(razor "subject:razor" "from:spamassassin" "linux kernel" "linux OR windows" "money NOT free" "\"free money\""
  "date:2002-08..2002-09" python "to:exmh" "subject:re" "perl*" "spam filter" mortgage "from:lists.sourceforge.net"
  debian "viagra OR cialis" "subject:ilug" "network security" "razor date:2002-09..2002-10")
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf "\n%-32s %9s %8s\n" "query" "hits" "median ms"
over=0
for q in "${queries[@]}"; do
  hits=$("$mailferry" search --archive "$work/archive" --output numbers --limit 10000000 "$q" | wc -l)
  ms=$(for ((i = 0; i < runs; i++)); do
    s=$(date +%s%N); "$mailferry" search --archive "$work/archive" --output numbers --limit 50 "$q" >/dev/null
    e=$(date +%s%N); echo $(((e - s) / 1000000))
  done | median)
  printf "%-32s %9s %8s%s\n" "$q" "$hits" "$ms" "$(awk -v m="$ms" 'BEGIN { if (m >= 100) print "   over 100 ms" }')"
  awk -v m="$ms" 'BEGIN { exit !(m >= 100) }' && over=$((over + 1))
done
echo "$over of ${#queries[@]} queries over 100 ms (goal: none)"
