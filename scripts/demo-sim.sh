#!/bin/sh
# demo-sim.sh BUILD_DIR - the simulator's part of `make demo`: a real
# program's trace (sort on three words, recorded with valgrind's lackey and
# bundled in tests/data/sim) through the simulated machine, its fault curve,
# its miss-ratio curves, Belady's anomaly on the textbook string, and a few
# references explained; then every free-space policy on the allocations of
# sqlite3 (a bundled trace recorded with `mmkit trace --alloc`).
set -eu
build=${1:-build}
mmkit=$build/mmkit
root=$(cd "$(dirname "$0")/.." && pwd)
trace=$root/tests/data/sim/sort.lackey.xz

echo "== mmkit sim: sort on three words (a valgrind lackey trace) in 64 frames, clock replacement"
"$mmkit" sim "$trace" --frames 64 --policy clock

echo
echo "== The same trace across memory sizes (fault curve in $build/sim-demo-sort.svg)"
"$mmkit" sim "$trace" --sweep frames=24..72:8 --policies fifo,lru,clock,opt \
  --svg "$build/sim-demo-sort.svg"

echo
echo "== Every memory size in one pass: exact LRU and OPT ($build/sim-demo-mrc.svg)"
"$mmkit" mrc "$trace" --curves lru,opt --svg "$build/sim-demo-mrc.svg"

echo
echo "== Belady's string: FIFO makes more faults with more frames ($build/sim-demo-belady.svg)"
"$mmkit" sim --refs 1,2,3,4,1,2,5,1,2,3,4,5 --sweep frames=1..6 --policies fifo,lru,opt \
  --svg "$build/sim-demo-belady.svg"

echo
echo "== The start of the textbook string under LRU in 3 frames, step by step"
"$mmkit" sim --refs 7,0,1,2,0 --frames 3 --policy lru --explain

echo
echo "== mmkit freespace: sqlite3's 42504 mallocs, reallocs and frees (a bundled trace) on every policy"
"$mmkit" freespace --trace "$root/tests/data/freespace/sqlite-words.mmat" \
  --compare first,best,next,worst,segregated,tlsf,buddy,slab,mmkit
