#!/bin/sh
# demo-sim.sh BUILD_DIR - the simulator's part of `make demo`: a real
# program's trace (sort on three words, recorded with valgrind's lackey and
# bundled in tests/data/sim) through the simulated machine, with caches too,
# false sharing between two CPUs, its fault curve,
# its miss-ratio curves, Belady's anomaly on the textbook string, and a few
# references told; an exercise from `mmkit quiz`; then every free-space
# policy on the allocations of sqlite3 and of python3 (bundled traces
# recorded with `mmkit trace --alloc`).
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
echo "== The same trace with a recent x86-64 core's caches in front of memory"
"$mmkit" sim "$trace" --frames 64 --machine x86-64-caches --cost-fault 0 --cost-swap-write 0 |
  sed -n '/^caches/,$p'

echo
echo "== Two CPUs writing to two words of one shared line: false sharing (MESI)"
printf 'cpus = 2\nsegment = shm 0x10000 4K rw shared=1\ncache = L1d 32K 8 64\ncache = L2 256K 8 64\n' \
  >"$build/sim-demo-sharing.machine"
"$mmkit" sim --machine "$build/sim-demo-sharing.machine" \
  --addrs 0:0x10000w,1:0x10008w,0:0x10000w,1:0x10008w | sed -n '/^caches/,$p'

echo
echo "== Every memory size in one pass: exact LRU and OPT ($build/sim-demo-mrc.svg)"
"$mmkit" mrc "$trace" --curves lru,opt --svg "$build/sim-demo-mrc.svg"

echo
echo "== Belady's string: FIFO makes more faults with more frames ($build/sim-demo-belady.svg)"
"$mmkit" sim --refs 1,2,3,4,1,2,5,1,2,3,4,5 --sweep frames=1..6 --policies fifo,lru,opt \
  --svg "$build/sim-demo-belady.svg"

echo
echo "== The textbook string under LRU in 3 frames, a line a reference, then one step told"
"$mmkit" sim --refs 7,0,1,2,0,3,0,4,2,3 --frames 3 --policy lru --tlb-entries 0 --steps | head -10
"$mmkit" sim --refs 7,0,1,2 --frames 3 --policy lru --tlb-entries 0 --explain | sed -n '/^#4/,/^  physical/p'

echo
echo "== An exercise set from a seed, and the simulator's worked answer (mmkit quiz)"
"$mmkit" quiz segmentation --seed 7 --answers

echo
echo "== mmkit freespace: sqlite3's 42504 mallocs, reallocs and frees (a bundled trace) on every policy"
"$mmkit" freespace --trace "$root/tests/data/freespace/sqlite-words.mmat" \
  --compare first,best,next,worst,segregated,tlsf,buddy,slab,mmkit

echo
echo "== python3 starting up, its heap drawn by call site on four policies ($build/freespace-demo.svg)"
"$mmkit" freespace --trace "$root/tests/data/freespace/python-start.mmat" \
  --compare first,next,buddy,mmkit --svg "$build/freespace-demo.svg" --colour-by call
