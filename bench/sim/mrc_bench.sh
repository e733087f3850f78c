#!/usr/bin/env bash
# mrc_bench.sh BUILD_DIR [MILLIONS] - references per second of `mmkit mrc`.
#
# The workload: a synthetic binary trace of MILLIONS million references
# (default 4) over 100 000 pages, skewed (a few pages hot, most cold) with
# a drifting working area, so that the footprint is that of a real
# program's heap rather than the bundled sort trace's 238 pages.  Each
# case runs twice; the best CPU time counts.  The time includes reading
# the trace; `mmkit mrc --sizes 1 --curves lru` on the same trace with the
# curve cut short shows that part.
set -euo pipefail
build=${1:?usage: mrc_bench.sh BUILD_DIR [MILLIONS]}
millions=${2:-4}
mmkit=$build/mmkit
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/trace.mmt" "$millions" <<'PY'
import struct, sys
from array import array
path, count = sys.argv[1], int(float(sys.argv[2]) * 1_000_000)
pages, x, area = 100_000, 12345, 0
words = array("Q")
for i in range(count):
    x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
    r = x >> 33
    if r % 1000 == 0:
        area = (area + r % 64) % pages
    u = (r & 0xFFFF) / 65536.0
    page = (area + r % 512) % pages if r % 3 else int(pages * u ** 4)
    address = 0x10000000 + page * 4096 + (r >> 16) % 4000
    words.append(address | (1 << 48) | (8 << 50))
with open(path, "wb") as f:
    f.write(b"MMKTRACE" + struct.pack("<II", 1, 1))
    words.tofile(f)
PY

echo "workload: synthetic, $millions million references over 100000 pages"
printf '%-28s %8s %8s %14s\n' case cpu_s wall_s refs/s_cpu
TIMEFORMAT='%3R %3U %3S'
references=$((millions * 1000000))
run() {
  local name=$1 best_cpu= best_wall=
  shift
  for _ in 1 2; do
    read -r wall user sys < <({ time "$mmkit" "$@" >/dev/null; } 2>&1)
    cpu=$(echo "$user + $sys" | bc)
    if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then best_cpu=$cpu; fi
    if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc)" = 1 ]; then best_wall=$wall; fi
  done
  printf '%-28s %8s %8s %14.0f\n' "$name" "$best_cpu" "$best_wall" \
    "$(echo "$references / $best_cpu" | bc -l)"
}
run "reading only (sim, 1 frame)" sim "$work/trace.mmt" --frames 1 --policy fifo --tlb-entries 0
run "exact lru" mrc "$work/trace.mmt"
run "shards 1%" mrc "$work/trace.mmt" --sample 0.01
run "shards 8192 pages" mrc "$work/trace.mmt" --sample-size 8192
run "sim lru at one size (1024)" sim "$work/trace.mmt" --frames 1024 --policy lru --tlb-entries 0
"$mmkit" mrc "$work/trace.mmt" --sample 0.01 --check | tail -1
"$mmkit" mrc "$work/trace.mmt" --sample-size 8192 --check | tail -1
