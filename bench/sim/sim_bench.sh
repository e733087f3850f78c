#!/usr/bin/env bash
# sim_bench.sh BUILD_DIR [COPIES] - references per second of `mmkit sim`.
#
# The workload is the bundled trace of a real program (sort on a tiny
# input, recorded with valgrind's lackey), repeated COPIES times (default 20,
# about 10 million references), as lackey text and in mmkit's binary format.
# Each case runs three times; the best run counts.  CPU time (user + system)
# is the figure to quote: it does not move when other work shares the
# machine; wall time is printed beside it.
set -euo pipefail
build=${1:?usage: sim_bench.sh BUILD_DIR [COPIES]}
copies=${2:-20}
mmkit=$build/mmkit
here=$(cd "$(dirname "$0")" && pwd)
trace=$here/../../tests/data/sim/sort.lackey.xz
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

xz -dc "$trace" >"$work/one.lackey"
for _ in $(seq "$copies"); do cat "$work/one.lackey"; done >"$work/trace.lackey"
"$mmkit" trace convert "$work/trace.lackey" "$work/trace.mmt" 2>/dev/null
lines=$(wc -l <"$work/trace.lackey")
references=$("$mmkit" sim "$work/trace.mmt" --json |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["references"])')

# The defaults with caches: split L1 and an L2 (the case "clock+L1+L2").
cat >"$work/caches.machine" <<'MACHINE'
cache = L1i 32K 8 64
cache = L1d 32K 8 64
cache = L2 1M 16 64
MACHINE

echo "workload: sort trace x $copies: $lines lackey lines, $references references"
echo "machine: defaults (48-bit, 4 KiB pages, 4-level table, 64-entry 4-way TLB, 256 frames)"
echo "         clock+L1+L2 adds L1i and L1d 32K 8-way, L2 1M 16-way, 64-byte lines"
printf '%-8s %-12s %10s %10s %14s %14s\n' format policy cpu_s wall_s refs/s_cpu refs/s_wall
TIMEFORMAT='%3R %3U %3S'
for format in lackey mmt; do
  for policy in clock lru clock+L1+L2; do
    machine=()
    if [ "$policy" = clock+L1+L2 ]; then machine=(--machine "$work/caches.machine"); fi
    best_cpu= best_wall=
    for _ in 1 2 3; do
      read -r wall user sys < <({ time "$mmkit" sim "$work/trace.$format" "${machine[@]}" \
        --policy "${policy%%+*}" >/dev/null; } 2>&1)
      cpu=$(echo "$user + $sys" | bc)
      if [ -z "$best_cpu" ] || [ "$(echo "$cpu < $best_cpu" | bc)" = 1 ]; then best_cpu=$cpu; fi
      if [ -z "$best_wall" ] || [ "$(echo "$wall < $best_wall" | bc)" = 1 ]; then best_wall=$wall; fi
    done
    printf '%-8s %-12s %10s %10s %14.0f %14.0f\n' "$format" "$policy" "$best_cpu" "$best_wall" \
      "$(echo "$references / $best_cpu" | bc -l)" "$(echo "$references / $best_wall" | bc -l)"
  done
done
