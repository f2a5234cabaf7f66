#!/usr/bin/env bash
# Migrates the SpamAssassin corpus (6,046 messages plus 7 edge cases in 6
# folders; COPIES > 1 repeats it with unique Message-IDs, 9 copies = 54,421
# messages) from one local Dovecot to a fresh one with mailferry, mbsync
# (isync) and offlineimap, runs alternating, then a no-change re-run of each,
# and prints the median wall time and peak RSS of each and mailferry's ratios.
# `mailferry_archive` is the same migration with --archive (one read of the
# source, archived while copied): its cost over plain mailferry is printed too.
# Targets keep Dovecot's default fsync. offlineimap takes ~20 minutes at 54k
# messages (shared/PEERS.md), so with COPIES > 1 it runs only with
# MF_BENCH_OFFLINEIMAP=1.
#   bash bench/migrate_vs_peers.sh [RUNS] [COPIES]   (needs: apt-get install isync offlineimap)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
copies=${2:-1}
source scripts/servers.sh
fixture_workdir bench
start_dovecot SRC "$work/src" alice --fill alice --copies "$copies"
printf 'alice-secret\n' >"$work/pw"
echo "source: $SRC_MESSAGES messages on 127.0.0.1:$SRC_IMAP_PORT"

# Each cmd_TOOL PORT DIR writes the tool's config into DIR and prints its command line.
cmd_mailferry() {
  echo build/cli/mailferry migrate --from "imap://alice@127.0.0.1:$SRC_IMAP_PORT" --to "imap://alice@127.0.0.1:$1" \
    --from-password-file "$work/pw" --to-password-file "$work/pw" --no-starttls --quiet \
    --state "$2/state.db"
}
cmd_mailferry_archive() {
  echo "$(cmd_mailferry "$@")" --archive "$2/archive"
}
cmd_mbsync() {
  cat >"$2/mbsyncrc" <<EOC
IMAPAccount src
Host 127.0.0.1
Port $SRC_IMAP_PORT
User alice
Pass alice-secret
SSLType None

IMAPStore src
Account src

IMAPAccount dst
Host 127.0.0.1
Port $1
User alice
Pass alice-secret
SSLType None

IMAPStore dst
Account dst

Channel move
Far :src:
Near :dst:
Patterns *
Create Near
Sync Pull
SyncState $2/
EOC
  echo mbsync -q -c "$2/mbsyncrc" move
}
cmd_offlineimap() {
  cat >"$2/offlineimaprc" <<EOC
[general]
accounts = move
metadata = $2/meta
[Account move]
localrepository = dst
remoterepository = src
[Repository src]
type = IMAP
remotehost = 127.0.0.1
remoteport = $SRC_IMAP_PORT
remoteuser = alice
remotepass = alice-secret
ssl = no
starttls = no
readonly = True
[Repository dst]
type = IMAP
remotehost = 127.0.0.1
remoteport = $1
remoteuser = alice
remotepass = alice-secret
ssl = no
starttls = no
EOC
  echo offlineimap -o -u quiet -c "$2/offlineimaprc"
}

tools=(mailferry mailferry_archive)
command -v mbsync >/dev/null && tools+=(mbsync)
if command -v offlineimap >/dev/null && { [ "$copies" = 1 ] || [ -n "${MF_BENCH_OFFLINEIMAP:-}" ]; }; then
  tools+=(offlineimap)
fi
declare -A times rss again run_time
for ((i = 1; i <= runs; i++)); do
  for tool in "${tools[@]}"; do
    dir="$work/$tool-$i"
    mkdir -p "$dir"
    chmod 755 "$dir"
    start_dovecot DST "$dir/dst" alice --separator . --fsync yes
    # shellcheck disable=SC2046
    if ! /usr/bin/time -f "%e %M" -o "$dir/time" $(cmd_$tool "$DST_IMAP_PORT" "$dir") >"$dir/log" 2>&1; then
      echo "run $i $tool: exited non-zero:"
      tail -3 "$dir/log"
    fi
    read -r t m < <(tail -1 "$dir/time")
    # shellcheck disable=SC2046
    /usr/bin/time -f "%e %M" -o "$dir/time2" $(cmd_$tool "$DST_IMAP_PORT" "$dir") >"$dir/log2" 2>&1 || true
    read -r t2 m2 < <(tail -1 "$dir/time2")
    kill "$DST_PID"
    times[$tool]+="$t "
    run_time[$tool-$i]=$t
    rss[$tool]+="$m "
    again[$tool]+="$t2 "
    echo "run $i $tool: ${t} s, $((m / 1024)) MB; no-change re-run ${t2} s"
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
printf '%-18s %10s %10s %12s\n' tool "median s" "peak MB" "re-run s"
for tool in "${tools[@]}"; do
  printf '%-18s %10s %10s %12s\n' "$tool" "$(echo "${times[$tool]}" | median)" \
    "$(( $(echo "${rss[$tool]}" | median) / 1024 ))" "$(echo "${again[$tool]}" | median)"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "-"}'; }
mf=$(echo "${times[mailferry]}" | median)
mf_again=$(echo "${again[mailferry]}" | median)
# Paired: each run's archiving migration against the plain one just before
# it, so that the machine's slow and fast phases cancel out.
paired=$(for ((i = 1; i <= runs; i++)); do
  awk -v a="${run_time[mailferry_archive-$i]}" -v b="${run_time[mailferry-$i]}" 'BEGIN {print (a / b - 1) * 100}'
done | median)
echo "archiving while migrating costs $(awk -v a="$(echo "${times[mailferry_archive]}" | median)" -v b="$mf" \
  'BEGIN {printf "%+.0f %%", (a / b - 1) * 100}') of the migration's wall time" \
  "(median of the runs' own ratios: $(printf '%+.1f' "$paired") %)"
for tool in "${tools[@]:2}"; do
  echo "mailferry / $tool: wall time $(ratio "$mf" "$(echo "${times[$tool]}" | median)"), no-change re-run $(ratio "$mf_again" "$(echo "${again[$tool]}" | median)")"
done
