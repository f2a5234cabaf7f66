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

# start_mailferry_serve PREFIX DIR USERS ARGS...: mailferry serve with its
# data in DIR/data, USERS (comma-separated) with the password USER-secret,
# listening as ARGS say (port 0: any free one); sets ${PREFIX}_PID and
# ${PREFIX}_PORTS (the bound ports, in the order of ARGS' listeners).
start_mailferry_serve() {
  local prefix=$1 dir=$2 users=$3
  shift 3
  mkdir -p "$dir"
  local user
  for user in ${users//,/ }; do
    printf '%s-secret\n' "$user" >"$dir/$user.password"
    build/cli/mailferry serve user add --data "$dir/data" "$user" --password-file "$dir/$user.password" >/dev/null
  done
  rm -f "$dir/ports"
  build/cli/mailferry serve --data "$dir/data" --ready-file "$dir/ports" "$@" 2>"$dir/serve.log" &
  local pid=$!
  fixture_pids+=("$pid")
  for _ in $(seq 100); do [ -s "$dir/ports" ] && break; sleep 0.1; done
  [ -s "$dir/ports" ] || { echo "mailferry serve did not start:" >&2; cat "$dir/serve.log" >&2; return 1; }
  eval "${prefix}_PID=$pid"
  eval "${prefix}_PORTS=\"$(paste -sd' ' "$dir/ports")\""
}
