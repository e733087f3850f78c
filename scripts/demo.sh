#!/bin/sh
# demo.sh BUILD_DIR - `make demo`: a real program on libmmkit with its
# statistics, memory bugs caught by the debug mode, then the simulator on a
# bundled trace of a real program.
set -eu
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A small database workload: sqlite3 builds, indexes and queries a table.
{
  echo "CREATE TABLE words(id INTEGER PRIMARY KEY, word TEXT, len INTEGER);"
  echo "BEGIN;"
  i=0
  for w in $(tr -cs 'A-Za-z' '\n' < "$root/README.md" | tr 'A-Z' 'a-z'); do
    i=$((i + 1))
    echo "INSERT INTO words(word, len) VALUES('$w', length('$w'));"
  done
  echo "COMMIT;"
  echo "CREATE INDEX by_word ON words(word);"
  echo "SELECT word, count(*) AS n FROM words GROUP BY word ORDER BY n DESC, word LIMIT 5;"
} > "$work/demo.sql"

echo "== sqlite3 on mmkit: the five most frequent words of the README, then mmkit's statistics"
"$build/mmkit" run --stats -- sqlite3 :memory: < "$work/demo.sql"

# The test suite's buggy program: each bug is reported, and the program
# aborts (which is what the debug mode is for: the demo goes on).
bugs="$build/tests/alloc/memory_bugs"
echo
echo "== a double free, caught by the debug mode (the program then aborts)"
"$build/mmkit" run --mode=debug -- "$bugs" double_free_small 2>&1 || true
echo
echo "== blocks lost on purpose, found by the leak report at exit"
"$build/mmkit" run --mode=debug -- "$bugs" leak 2>&1

echo
"$root/scripts/demo-sim.sh" "$build"
