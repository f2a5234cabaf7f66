#!/usr/bin/env bash
# A long crash campaign: migrates the corpus between two local Dovecots while
# killing mailferry with SIGKILL at random moments KILLS times (default 100),
# then lets one run finish and proves with verify that no message was lost
# and none duplicated. Not part of the regular suite (it takes minutes).
#   bash tests/fault/kill_campaign.sh [KILLS] [COPIES]
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-100}
copies=${2:-9}  # 54,421 messages: enough that every kill lands mid-migration
mailferry=${MAILFERRY:-build/cli/mailferry}  # a copy lets the build go on meanwhile
source scripts/servers.sh
fixture_workdir kills
start_dovecot SRC "$work/src" alice --fill alice --copies "$copies"
start_dovecot DST "$work/dst" alice --separator . --fsync yes
printf 'alice-secret\n' >"$work/pw"
args=(--from "imap://alice@127.0.0.1:$SRC_IMAP_PORT" --to "imap://alice@127.0.0.1:$DST_IMAP_PORT"
  --from-password-file "$work/pw" --to-password-file "$work/pw" --no-starttls --quiet)
killed=0
for ((i = 1; i <= kills; i++)); do
  "$mailferry" migrate "${args[@]}" --state "$work/state.db" --batch-mb 1 >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r="$RANDOM" 'BEGIN {printf "%.3f", 0.02 + (r % 600) / 1000}')"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true
done
"$mailferry" migrate "${args[@]}" --state "$work/state.db" >/dev/null
set +e
"$mailferry" verify "${args[@]}" --ignore-line-endings --json "$work/verify.json" >/dev/null
status=$?
set -e
python3 - "$work/verify.json" "$SRC_MESSAGES" "$killed" "$status" <<'PY'
import json, sys
report, expected, killed, status = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3], sys.argv[4]
kinds = {}
for folder in report["folders"]:
    for d in folder["differences"]:
        kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
source = sum(f["source_messages"] for f in report["folders"])
target = sum(f["target_messages"] for f in report["folders"])
print(f"{killed} kills; source {source} messages (expected {expected}), target {target}; differences {kinds or 'none'}")
ok = status == "0" and source == expected and target == expected
print("campaign: PASSED" if ok else "campaign: FAILED")
sys.exit(0 if ok else 1)
PY
