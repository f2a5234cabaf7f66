#!/usr/bin/env bash
# Sets up, checks the dependency graph, builds and runs every test: unit
# tests, integration tests against real Dovecot servers, a short run of
# each fuzz target, and Dovecot's imaptest against mailferry serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The layout docs/ARCHITECTURE.md gives is the layout of the code.
bash scripts/check-dependencies.sh --self-test
bash scripts/check-dependencies.sh
bash scripts/build.sh
if command -v clang++ >/dev/null 2>&1; then
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DMF_BUILD_FUZZ=ON -DMF_FUZZ_ONLY=ON >/dev/null
  ninja -C build-fuzz -j2
  for target in response_fuzz command_fuzz text_fuzz accounts_fuzz frame_fuzz headers_fuzz mbox_fuzz sasl_fuzz query_fuzz server_fuzz; do
    echo "fuzz: $target for ${MF_FUZZ_SECONDS:-20} s"
    # A fixed seed makes the test command repeatable; MF_FUZZ_SEED=0 explores afresh.
    ./build-fuzz/tests/fuzz/$target -seed="${MF_FUZZ_SEED:-1}" -max_total_time="${MF_FUZZ_SECONDS:-20}" -rss_limit_mb=1024 \
      >"build-fuzz/$target.log" 2>&1 || { tail -40 "build-fuzz/$target.log"; exit 1; }
  done
else
  echo "fuzz: clang++ not installed, fuzz targets not run" >&2
fi
cd build
# Every test case is a ctest test: a name CMake cannot carry (a ';' or an
# unbalanced '[') once merged the cases after it into one that ran none.
for binary in tests/mf_unit_tests:unit tests/integration/mf_integration_tests:integration; do
  # Catch2 2 exits with the number of cases it listed: not a failure.
  cases=$({ "./${binary%%:*}" --list-test-names-only || true; } | grep -c .)
  registered=$(ctest -N -R "^${binary##*:}:" | grep -c 'Test *#')
  if [ "$cases" != "$registered" ]; then
    echo "test: ${binary%%:*} has $cases test cases, but ctest knows $registered (a name with ';' or '['?)" >&2
    exit 1
  fi
done
ctest -j2 --output-on-failure --timeout 1200
cd ..
bash scripts/imaptest.sh
