#!/usr/bin/env bash
# The demo: sets up and builds mailferry, starts a local Dovecot (127.0.0.1
# only) with the SpamAssassin corpus and mailferry's own server (mailferry
# serve) empty, migrates the account into it over TLS with a progress
# display, verifies byte for byte, runs
# again (nothing to copy), migrates the old server's Maildir files straight
# into another account, runs a bulk migration of several accounts from an
# accounts file, archives the old mailbox (compressed, deduplicated, hash
# chained), verifies the archive, searches it, exports a signed case and
# verifies the export, shows what retention would purge with a
# legal hold in place, and stops the servers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
source scripts/servers.sh
fixture_workdir demo
echo "== starting the old server (Dovecot, the SpamAssassin corpus as alice's mail)"
start_dovecot OLD "$work/old" alice,bob,carol --fill alice
echo "   imaps://alice@127.0.0.1:$OLD_IMAPS_PORT holds $OLD_MESSAGES messages"
echo "== starting the new server (mailferry serve, empty: mailferry's own IMAP server, over TLS)"
# The old server's certificate for 127.0.0.1 serves the new one too: one CA file verifies both.
start_mailferry_serve NEW "$work/new" alice,bob,carol,dave --imaps 127.0.0.1:0 \
  --tls-cert "$work/old/cert.pem" --tls-key "$work/old/key.pem"
NEW_IMAPS_PORT=$NEW_PORTS
echo "   imaps://alice@127.0.0.1:$NEW_IMAPS_PORT"
printf 'alice-secret\n' >"$work/password"
common=(--from "imaps://alice@127.0.0.1:$OLD_IMAPS_PORT" --to "imaps://alice@127.0.0.1:$NEW_IMAPS_PORT"
  --from-password-file "$work/password" --to-password-file "$work/password" --tls-ca-file "$OLD_CA_FILE")
echo "== mailferry migrate"
build/cli/mailferry migrate "${common[@]}" --state "$work/state.db" --json "$work/migrate.json"
echo "== mailferry verify: byte for byte, flags and dates"
echo "   (the corpus holds mail with \"CR CR LF\", which Dovecot as a target would store as \"CR LF\";"
echo "   mailferry serve keeps the bytes as given, so nothing differs)"
build/cli/mailferry verify "${common[@]}" --json "$work/verify.json"
echo "== mailferry migrate again: a re-run copies nothing twice"
build/cli/mailferry migrate "${common[@]}" --state "$work/state.db" --quiet | tail -1
echo "== mailferry migrate from local files: the old server's Maildir into dave's new mailbox"
local_args=(--from "maildir:$work/old/mail/alice" --to "imaps://dave@127.0.0.1:$NEW_IMAPS_PORT"
  --to-password-file "$work/new/dave.password" --tls-ca-file "$OLD_CA_FILE")
build/cli/mailferry migrate "${local_args[@]}" --state "$work/state.db" --quiet | tail -1
build/cli/mailferry verify "${local_args[@]}" --quiet | tail -1
echo "== mailferry migrate --accounts: alice, bob and carol in one bulk run (one accounts file, 2 at once)"
{
  echo "from_url,from_user,from_password,to_url,to_user,to_password"
  for user in alice bob carol; do
    echo "imaps://127.0.0.1:$OLD_IMAPS_PORT,$user,$user-secret,imaps://127.0.0.1:$NEW_IMAPS_PORT,$user,$user-secret"
  done
} >"$work/accounts.csv"
build/cli/mailferry migrate --accounts "$work/accounts.csv" --jobs 2 --state "$work/state.db" --tls-ca-file "$OLD_CA_FILE"
echo "== mailferry archive: alice's old mailbox over IMAPS into a tamper-evident archive, then verified"
build/cli/mailferry archive import --archive "$work/archive" "imaps://alice@127.0.0.1:$OLD_IMAPS_PORT" \
  --from-password-file "$work/password" --tls-ca-file "$OLD_CA_FILE" --quiet | tail -1
build/cli/mailferry archive stats --archive "$work/archive" | head -7
build/cli/mailferry archive verify --archive "$work/archive"
echo "== mailferry search: the archive's index (German stemming: \"Razor\" finds razor's forms); every search is audited"
build/cli/mailferry search --archive "$work/archive" --limit 5 'subject:razor date:2002-08..2002-10'
build/cli/mailferry search --archive "$work/archive" --limit 3 --output json 'has:attachment'
echo "== mailferry archive export: a case for an auditor (signed, with proofs), checked with nothing but the export"
openssl genpkey -algorithm ed25519 -out "$work/auditor.pem" 2>/dev/null
openssl pkey -in "$work/auditor.pem" -pubout -out "$work/auditor.pub.pem"
build/cli/mailferry archive export --archive "$work/archive" --out "$work/case.zip" --case demo --key "$work/auditor.pem" \
  'subject:razor date:2002-08..2002-10'
build/cli/mailferry archive verify-export "$work/case.zip" --public-key "$work/auditor.pub.pem"
echo "== mailferry archive purge --dry-run: the corpus is from 2002, past six years; a legal hold keeps the Junk folders"
build/cli/mailferry archive hold add --archive "$work/archive" --case demo --folder 'Junk*'
build/cli/mailferry archive purge --archive "$work/archive" --dry-run
