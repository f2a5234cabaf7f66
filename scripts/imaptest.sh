#!/usr/bin/env bash
# Dovecot's imaptest against mailferry serve (../shared/tools/imaptest, or
# MF_IMAPTEST_TOOLS): its scripted compliance groups must all pass (groups
# for capabilities the server does not announce are skipped), and a stress
# run (MF_IMAPTEST_STRESS_SECONDS, default 60 s, 10 clients, fsync on) must
# report no protocol error. Skipped with a note when the tools are not there.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=${MF_IMAPTEST_TOOLS:-}
for candidate in "$tools" ../shared/tools/imaptest /work/shared/tools/imaptest; do
  if [ -n "$candidate" ] && [ -x "$candidate/build.sh" ]; then tools=$candidate; break; fi
done
if [ -z "$tools" ] || [ ! -x "$tools/build.sh" ]; then
  echo "imaptest: the imaptest tools are not at ../shared/tools/imaptest (set MF_IMAPTEST_TOOLS): skipped" >&2
  exit 0
fi
tools=$(cd "$tools" && pwd)
dest=$PWD/build/imaptest
bash "$tools/build.sh" "$dest" >/dev/null
source scripts/servers.sh
fixture_workdir imaptest
start_mailferry_serve SERVE "$work/serve" tuser,tuser2,suser --imap 127.0.0.1:0
echo "imaptest: scripted groups against mailferry serve on 127.0.0.1:$SERVE_PORTS"
IMAPTEST_USER2=tuser2 IMAPTEST_TIMEOUT=600 bash "$tools/run-scripted.sh" 127.0.0.1 "$SERVE_PORTS" tuser tuser-secret - "$dest" \
  >"$work/scripted.txt" 2>&1 || { cat "$work/scripted.txt"; exit 1; }
tail -1 "$work/scripted.txt"
data=.cache/corpus/package/data
python3 "$tools/make-mbox.py" "$work/stress.mbox" 500 "$data/easy-ham-1" "$data/hard-ham-1" "$data/spam-1" >/dev/null
seconds=${MF_IMAPTEST_STRESS_SECONDS:-60}
echo "imaptest: stress, $seconds s, 10 clients"
SERVER_PID=$SERVE_PID bash "$tools/run-stress.sh" 127.0.0.1 "$SERVE_PORTS" suser suser-secret "$work/stress.mbox" \
  "$seconds" 10 "$dest" >"$work/stress.txt" 2>&1 || { cat "$work/stress.txt"; exit 1; }
tail -1 "$work/stress.txt"
