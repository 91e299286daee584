#!/usr/bin/env bash
# Runs every test of the solution against real servers (PostgreSQL, RabbitMQ, ...) that the tests
# start and stop themselves, then prints one line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

eng/install-deps.sh || { echo "0 passed, 1 failed"; echo "install-deps failed" >&2; exit 1; }

results=artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

if ! dotnet build Bambuddy.sln --nologo --verbosity quiet; then
  echo "0 passed, 1 failed"
  echo "the build failed" >&2
  exit 1
fi

# One test project at a time: the end-to-end tests start the whole system and 2 cores are few.
dotnet test Bambuddy.sln --no-build --nologo -m:1 \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results" \
  -- RunConfiguration.TestSessionTimeout=4800000
status=$?

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done

if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1 # the runner failed without a failing test (a crash, a timeout): count it
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
