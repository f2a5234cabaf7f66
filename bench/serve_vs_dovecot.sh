#!/usr/bin/env bash
# mailferry serve against Debian's Dovecot (its default configuration: a
# process per connection), one after the other in one run: imaptest's stress
# mode (same mbox of 500 real messages, same clients and seconds, both with
# fsync), then idle logged-in connections for the memory each costs.
# Prints commands/s, logins, errors, peak RSS and KiB per idle connection,
# with ratios. Goals (issue 12): >= 3x Dovecot's commands/s, <= 64 KiB per
# idle connection. Dovecot's default process limit (100) caps its idle
# connections at 90; mailferry gets 1,000.
#   bash bench/serve_vs_dovecot.sh [SECONDS] [CLIENTS]   (needs ../shared/tools/imaptest)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
clients=${2:-10}
tools=${MF_IMAPTEST_TOOLS:-../shared/tools/imaptest}
[ -x "$tools/build.sh" ] || tools=/work/shared/tools/imaptest
tools=$(cd "$tools" && pwd)
bash "$tools/build.sh" "$PWD/build/imaptest" >/dev/null
source scripts/servers.sh
fixture_workdir serve-bench
data=.cache/corpus/package/data
python3 "$tools/make-mbox.py" "$work/stress.mbox" 500 "$data/easy-ham-1" "$data/hard-ham-1" "$data/spam-1" >/dev/null

stress() {  # NAME PORT USER PASS PID
  SERVER_PID=$5 bash "$tools/run-stress.sh" 127.0.0.1 "$2" "$3" "$4" "$work/stress.mbox" "$seconds" "$clients" \
    "$PWD/build/imaptest" >"$work/$1.stress" 2>&1 || true
  tail -1 "$work/$1.stress"
  grep -m5 "Error:" "$work/$1.stress" || true
}
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" "$work/$1.stress" | tail -1; }
peak() { sed -n 's/.*avg RSS [0-9.]* MiB (peak \([0-9.]*\)).*/\1/p' "$work/$1.stress" | tail -1; }

idle_users=idle0,idle1,idle2,idle3,idle4,idle5,idle6,idle7,idle8
start_mailferry_serve MF "$work/mf" suser,$idle_users --imap 127.0.0.1:0
echo "== mailferry serve: stress, $seconds s, $clients clients"
stress mf "$MF_PORTS" suser suser-secret "$MF_PID"
python3 bench/idle_connections.py "$MF_PORTS" idle 9 1000 "$MF_PID" | tee "$work/mf.idle"

start_dovecot DC "$work/dc" suser,$idle_users --fsync yes
echo "== Dovecot: stress, $seconds s, $clients clients"
stress dc "$DC_IMAP_PORT" suser suser-secret "$DC_PID"
python3 bench/idle_connections.py "$DC_IMAP_PORT" idle 9 90 "$DC_PID" | tee "$work/dc.idle"

per_conn() { sed -n 's/.* \([0-9.]*\) KiB per connection/\1/p' "$work/$1.idle"; }
mf_cps=$(field mf cmds_per_sec) dc_cps=$(field dc cmds_per_sec)
printf '\n%-16s %10s %8s %8s %12s %18s\n' server "commands/s" logins errors "peak RSS MiB" "KiB/idle conn"
for s in mf dc; do
  printf '%-16s %10s %8s %8s %12s %18s\n' "$([ $s = mf ] && echo 'mailferry serve' || echo Dovecot)" \
    "$(field $s cmds_per_sec)" "$(field $s logins)" "$(field $s errors)" "$(peak $s)" "$(per_conn $s)"
done
echo "commands/s: mailferry / Dovecot = $(echo "scale=2; $mf_cps / $dc_cps" | bc)x (goal >= 3x)"
echo "idle connection: mailferry $(per_conn mf) KiB (goal <= 64), Dovecot $(per_conn dc) KiB"
