#!/usr/bin/env bash
# Archives the SpamAssassin corpus (COPIES times, unique Message-IDs) as
# ACCOUNTS mailboxes holding the same mail (as when one mail reaches many
# mailboxes), and prints messages/s, the archive's size against the raw
# mail, and the same for `tar | zstd -19 --long` as the solid-compression
# limit. Defaults: 3 copies x 3 accounts = 54,417 messages placed.
#   bash bench/archive_vs_solid.sh [COPIES] [ACCOUNTS]   (needs: apt-get install zstd)
set -euo pipefail
cd "$(dirname "$0")/.."
copies=${1:-3}
accounts=${2:-3}
mailferry=${MAILFERRY:-build/cli/mailferry}
source scripts/servers.sh
fixture_workdir archive-bench
start_dovecot SRC "$work/src" alice --fill alice --copies "$copies"  # only its Maildir is used
mail="$work/src/mail/alice"
names=()
for ((a = 1; a <= accounts; a++)); do
  ln -s "$mail" "$work/account$a"  # the same mail under another mailbox's name
  names+=("account$a")
done
start=$(date +%s.%N)
for name in "${names[@]}"; do
  "$mailferry" archive import --archive "$work/archive" "maildir:$work/$name" -q >/dev/null
done
end=$(date +%s.%N)
"$mailferry" archive stats --archive "$work/archive" --json "$work/stats.json" >/dev/null
"$mailferry" archive verify --archive "$work/archive" >/dev/null
stored=$(du -sb "$work/archive" | cut -f1)
segments=$(du -sb "$work/archive/segments" | cut -f1)
solid=$(tar -C "$work" -chf - --exclude='dovecot*' --exclude=tmp "${names[@]}" | zstd -19 --long=27 -T2 -q -c | wc -c)
python3 - "$work/stats.json" "$stored" "$solid" "$start" "$end" "$segments" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
stored, solid, seconds = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[5]) - float(sys.argv[4])
segments = int(sys.argv[6])
raw = s["placed_bytes"]
print(f"{s['placements']} messages placed ({s['messages']} unique), {raw / 1e6:.1f} MB raw")
print(f"archive import: {seconds:.1f} s, {s['placements'] / seconds:.0f} messages/s")
print(f"archive on disk (segments + catalog): {stored / 1e6:.1f} MB = {stored / raw:.3f} of raw")
print(f"  of it segments (the mail, events):  {segments / 1e6:.1f} MB = {segments / raw:.3f} of raw")
print(f"  of it the catalog (an index):      {(stored - segments) / 1e6:.1f} MB")
print(f"tar | zstd -19 --long=27:            {solid / 1e6:.1f} MB = {solid / raw:.3f} of raw")
print(f"archive / solid limit: {stored / solid:.2f} (segments alone: {segments / solid:.2f})")
PY
