#!/usr/bin/env bash
# Migrates the SpamAssassin corpus (6,052 messages in 6 folders) from one local
# Dovecot to a fresh one with mailferry, mbsync (isync) and offlineimap, runs
# alternating, and prints the median wall time and peak RSS of each and
# mailferry's ratio to each peer. Targets keep Dovecot's default fsync.
#   bash bench/migrate_vs_peers.sh [RUNS]     (needs: apt-get install isync offlineimap)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
fixture=build/tests/integration/mailferry-fixture
work=$(mktemp -d /tmp/mailferry-bench-XXXXXX)
chmod 755 "$work"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
eval "$($fixture "$work/src" alice --fill alice | sed 's/^/SRC_/')"
pids+=("$SRC_PID")
printf 'alice-secret\n' >"$work/pw"
echo "source: $SRC_MESSAGES messages on 127.0.0.1:$SRC_IMAP_PORT"

# Each cmd_TOOL PORT DIR writes the tool's config into DIR and prints its command line.
cmd_mailferry() {
  echo build/cli/mailferry migrate --from "imap://alice@127.0.0.1:$SRC_IMAP_PORT" --to "imap://alice@127.0.0.1:$1" \
    --from-password-file "$work/pw" --to-password-file "$work/pw" --no-starttls --quiet \
    --state "$2/state.db"
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

tools=(mailferry)
command -v mbsync >/dev/null && tools+=(mbsync)
command -v offlineimap >/dev/null && tools+=(offlineimap)
declare -A times rss
for ((i = 1; i <= runs; i++)); do
  for tool in "${tools[@]}"; do
    dir="$work/$tool-$i"
    mkdir -p "$dir"
    chmod 755 "$dir"
    eval "$($fixture "$dir/dst" alice --separator . --fsync yes | sed 's/^/DST_/')"
    # shellcheck disable=SC2046
    if ! /usr/bin/time -f "%e %M" -o "$dir/time" $(cmd_$tool "$DST_IMAP_PORT" "$dir") >"$dir/log" 2>&1; then
      echo "run $i $tool: exited non-zero:"
      tail -3 "$dir/log"
    fi
    kill "$DST_PID"
    read -r t m < <(tail -1 "$dir/time")
    times[$tool]+="$t "
    rss[$tool]+="$m "
    echo "run $i $tool: ${t} s, $((m / 1024)) MB"
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo
printf '%-12s %10s %10s\n' tool "median s" "peak MB"
for tool in "${tools[@]}"; do
  printf '%-12s %10s %10s\n' "$tool" "$(echo "${times[$tool]}" | median)" "$(( $(echo "${rss[$tool]}" | median) / 1024 ))"
done
mf=$(echo "${times[mailferry]}" | median)
for tool in "${tools[@]:1}"; do
  echo "mailferry / $tool wall time: $(awk -v a="$mf" -v b="$(echo "${times[$tool]}" | median)" 'BEGIN {printf "%.2f", a / b}')"
done
