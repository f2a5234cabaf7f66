# Sourced by the demo, the benchmarks and the fault campaigns: a work
# directory and test Dovecots that are stopped by PID when the script exits.
#   fixture_workdir NAME        sets $work (a fresh 0755 directory under /tmp)
#   start_dovecot PREFIX DIR ARGS...   starts mailferry-fixture DIR ARGS and sets
#                               ${PREFIX}_PID, _IMAP_PORT, _IMAPS_PORT, _CA_FILE, _MESSAGES
fixture=build/tests/integration/mailferry-fixture
fixture_pids=()

fixture_cleanup() {
  for pid in "${fixture_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "${MF_KEEP_TEST_DIRS:-}" ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}

fixture_workdir() {
  work=$(mktemp -d "/tmp/mailferry-$1-XXXXXX")
  chmod 755 "$work"  # Dovecot's unprivileged processes must reach their files
  trap fixture_cleanup EXIT
}

start_dovecot() {
  local prefix=$1
  shift
  eval "$("$fixture" "$@" | sed "s/^/${prefix}_/")"
  local pid_var="${prefix}_PID"
  fixture_pids+=("${!pid_var}")
}
