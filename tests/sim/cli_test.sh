#!/bin/sh
# cli_test.sh CHECK MMKIT DATA_DIR - one check of the `mmkit sim`, `mmkit mrc`
# and `mmkit trace` commands, named by CHECK (each is a ctest test).
set -eu
check=$1
mmkit=$2
data=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
belady=1,2,3,4,1,2,5,1,2,3,4,5

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# expect STATUS TEXT -- command...: run it; demand the exit status and that
# stdout+stderr contain TEXT.
expect() {
  want_status=$1 want_text=$2
  shift 3
  set +e
  "$@" >"$work/out" 2>&1
  status=$?
  set -e
  [ "$status" = "$want_status" ] || { cat "$work/out" >&2; fail "exit $status, wanted $want_status: $*"; }
  grep -qF -- "$want_text" "$work/out" || { cat "$work/out" >&2; fail "no '$want_text' from: $*"; }
}

json_field() { # FILE FIELD
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

case $check in
help_describes_every_input)
  expect 0 "--refs LIST" -- "$mmkit" sim --help
  expect 0 "--sweep frames=A..B" -- "$mmkit" sim --help
  expect 0 "mmkit trace convert" -- "$mmkit" trace --help
  ;;
json_has_the_integer_fields)
  "$mmkit" sim --refs $belady --frames 3 --policy fifo --json >"$work/run.json"
  for field in references page_faults protection_faults tlb_hits tlb_misses swap_reads swap_writes; do
    python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))[sys.argv[2]]; assert type(v) is int' \
      "$work/run.json" "$field" || fail "field $field is not an integer"
  done
  [ "$(json_field "$work/run.json" page_faults)" = 9 ] || fail "FIFO on Belady's string at 3 frames"
  ;;
csv_matches_json)
  "$mmkit" sim --refs 1:1,2,3w,1:4,5 --frames 2 --json >"$work/run.json"
  "$mmkit" sim --refs 1:1,2,3w,1:4,5 --frames 2 --csv >"$work/run.csv"
  python3 - "$work/run.json" "$work/run.csv" <<'PY' || fail "CSV and JSON disagree"
import csv, json, sys
data = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2])))
assert [r['process'] for r in rows] == ['0', '1', 'total'], rows
for key in ('references', 'page_faults', 'swap_writes', 'tlb_hits'):
    assert int(rows[-1][key]) == data[key], key
    for r, p in zip(rows, data['per_process']):
        assert int(r[key]) == p[key], key
PY
  "$mmkit" sim --refs 1,2,3,4,1,2,5,1,2,3,4,5 --sweep frames=3..4 --policies fifo,lru --csv \
    --svg "$work/s.svg" >"$work/sweep.csv" 2>/dev/null
  [ "$(cat "$work/sweep.csv")" = "$(printf 'frames,fifo,lru\n3,9,10\n4,10,8')" ] ||
    fail "sweep CSV: $(cat "$work/sweep.csv")"
  ;;
bad_trace_line_names_file_line_and_field)
  printf 'I  0401,3\n L zz,8\n' >"$work/bad.lackey"
  expect 1 "mmkit: $work/bad.lackey:2: address: expected a hexadecimal address" -- \
    "$mmkit" sim "$work/bad.lackey"
  expect 0 "skipped 1 malformed trace lines" -- "$mmkit" sim --skip-bad "$work/bad.lackey"
  ;;
bad_flags_are_usage_errors_and_bad_machine_files_input_errors)
  expect 2 "mmkit: --frames: invalid value 'abc'" -- "$mmkit" sim --refs 1 --frames abc
  expect 2 "unknown option '--colour'" -- "$mmkit" sim --refs 1 --colour red
  expect 2 "mmkit: --refs: item 2: expected a number" -- "$mmkit" sim --refs 1,x
  printf 'frames = 4\npage-size = lots\n' >"$work/machine"
  expect 1 "mmkit: $work/machine:2: page-size: invalid value 'lots'" -- \
    "$mmkit" sim --refs 1 --machine "$work/machine"
  expect 2 "mmkit: --levels: the levels index 18 bits" -- "$mmkit" sim --refs 1 --levels 9,9
  printf 'levels = 9,9\n' >"$work/levels.machine"
  expect 1 "mmkit: $work/levels.machine: levels: the levels index 18 bits" -- \
    "$mmkit" sim --refs 1 --machine "$work/levels.machine"
  expect 1 "mmkit: $work/none.lackey: No such file" -- "$mmkit" sim "$work/none.lackey"
  ;;
binary_trace_gives_the_same_answers_as_text)
  "$mmkit" trace convert "$data/sort.lackey.xz" "$work/sort.mmt"
  "$mmkit" sim "$data/sort.lackey.xz" --frames 64 --policy lru --json >"$work/text.json"
  "$mmkit" sim "$work/sort.mmt" --frames 64 --policy lru --json >"$work/binary.json"
  cmp "$work/text.json" "$work/binary.json" || fail "binary and text runs differ"
  [ "$(json_field "$work/text.json" references)" -gt 100000 ] || fail "the bundled trace is too short"
  # mrc takes a binary trace's words in place, and text (or a choice of
  # kinds) as records: the same curves either way.
  for options in "--csv" "--sample 0.2 --check --csv" "--kinds L --csv"; do
    # shellcheck disable=SC2086
    "$mmkit" mrc "$data/sort.lackey.xz" $options >"$work/text.csv"
    # shellcheck disable=SC2086
    "$mmkit" mrc "$work/sort.mmt" $options >"$work/binary.csv"
    cmp "$work/text.csv" "$work/binary.csv" || fail "mrc $options: binary and text curves differ"
  done
  ;;
sweep_points_out_belady_anomaly_in_text_and_svg)
  expect 0 "Belady's anomaly: fifo makes 10 faults with 4 frames but 9 with 3 frames" -- \
    "$mmkit" sim --refs $belady --sweep frames=1..6 --svg "$work/curve.svg"
  grep -q "<svg" "$work/curve.svg" || fail "no SVG"
  grep -q "Belady's anomaly (fifo)" "$work/curve.svg" || fail "the SVG does not mark the anomaly"
  ;;
sweep_takes_a_step_or_a_count_and_draws_only_where_asked)
  (cd "$work" && "$mmkit" sim --refs $belady --sweep frames=1..6:2 --policies fifo --csv \
    >"$work/step.csv" 2>"$work/err")
  [ "$(cat "$work/step.csv")" = "$(printf 'frames,fifo\n1,12\n3,9\n5,5\n6,5')" ] ||
    fail "sweep by step: $(cat "$work/step.csv")"
  [ ! -e "$work/sweep.svg" ] || fail "a sweep without --svg drew sweep.svg"
  "$mmkit" sim --refs $belady --sweep frames=1..2048/12log --policies lru --json >"$work/log.json"
  grep -q '"frames": \[1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048\]' "$work/log.json" ||
    fail "sweep by log count: $(cat "$work/log.json")"
  expect 2 "expected frames=A..B, A..B:STEP" -- "$mmkit" sim --refs $belady --sweep frames=1..6:0
  ;;
mrc_equals_a_sweep_of_lru_opt_and_fifo_and_draws_its_knee)
  # fifo by miniature simulation: the footprint is small, so the whole
  # trace is simulated.
  "$mmkit" sim "$data/sort.lackey.xz" --sweep frames=1..48 --policies lru,opt,fifo --csv \
    >"$work/sweep.csv"
  "$mmkit" mrc "$data/sort.lackey.xz" --curves lru,opt,fifo --sizes 1..48 --csv \
    --svg "$work/mrc.svg" |
    awk -F, 'NR > 1 { print $1 "," $2 "," $4 "," $6 }' >"$work/mrc.csv" 2>/dev/null
  [ "$(wc -l <"$work/mrc.csv")" = 48 ] || fail "mrc printed $(wc -l <"$work/mrc.csv") sizes, not 48"
  tail -n +2 "$work/sweep.csv" | cmp - "$work/mrc.csv" || fail "mrc and the sweep differ"
  grep -q "90% of the achievable hits at 4 frames" "$work/mrc.svg" || fail "no knee in the SVG"
  grep -q "footprint: 238 pages" "$work/mrc.svg" || fail "no footprint in the SVG"
  ;;
sampled_curves_give_no_figure_below_their_resolution)
  # At rate 1/4 a page of the sample stands for 4: the sizes below have no
  # figure in the table, the CSV or the JSON, and the exact curve beside
  # it has them all.
  "$mmkit" mrc "$data/sort.lackey.xz" --curves lru,fifo --sample 0.25 --sizes 1..6 >"$work/mrc.txt"
  grep -qF "a page of the sample stands for 4 pages" "$work/mrc.txt" || fail "no resolution said"
  awk '$1 == 3 { exit !($2 == "-" && $3 == "-" && $4 == "-" && $5 == "-") }' "$work/mrc.txt" ||
    fail "3 frames has figures: $(cat "$work/mrc.txt")"
  awk '$1 == 4 { exit !($2 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/) }' "$work/mrc.txt" ||
    fail "4 frames has no figures: $(cat "$work/mrc.txt")"
  "$mmkit" mrc "$data/sort.lackey.xz" --sample 0.25 --check --sizes 1..6 --json >"$work/mrc.json"
  python3 - "$work/mrc.json" <<'PY' || fail "the JSON's points are wrong"
import json, sys
sampled, exact = json.load(open(sys.argv[1]))["curves"]
assert sampled["resolution"] == 4 and exact["resolution"] == 1, (sampled["resolution"], exact["resolution"])
for point in sampled["points"]:
    assert (point["miss_ratio"] is None) == (point["frames"] < 4), point
assert all(p["miss_ratio"] is not None for p in exact["points"]), exact["points"]
PY
  ;;
freespace_trace_is_drawn_and_explained)
  # A real program's trace (python3 starting, recorded with its stacks):
  # each policy's heap drawn with its call sites named, and every call
  # explained with the free list cut short.
  trace=$data/../freespace/python-start.mmat
  "$mmkit" freespace --trace "$trace" --compare first,buddy --svg "$work/heap.svg" \
    --colour-by call >/dev/null
  python3 - "$work/heap.svg" <<'PY' || fail "the trace's picture is wrong"
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
texts = [t.text for t in root.iter(ns + 'text')]
assert texts[0].startswith('the heap over 1779 calls'), texts[0]
assert 'first' in texts and 'buddy' in texts, texts
# the legend: the named sites, then the others
assert texts[-1] == 'other call sites', texts[-8:]
assert len(texts) >= 2 + 4 + 2 + 2 + 3, texts
titles = [t.text for t in root.iter(ns + 'title')]
assert titles and all(' full, mostly ' in t for t in titles), titles[:3]
assert len(list(root.iter(ns + 'polyline'))) == 2
PY
  "$mmkit" freespace --trace "$trace" --policy best --explain >"$work/explain"
  grep -q '^call 1: malloc([0-9]*) = 0x[0-9a-f]*$' "$work/explain" || fail "no first call"
  grep -q '^  free list ([0-9]* holes):\( \[[0-9]*, [0-9]*\]\)\{8\} (and [0-9]* more)$' \
    "$work/explain" || fail "the free list is not cut to 8 holes"
  [ "$(grep -c '^call ' "$work/explain")" = 1779 ] || fail "not every call is told"
  grep -q '^  operations  *1823$' "$work/explain" || fail "no totals after the calls"
  ;;
svg_draws_faults_over_time)
  # 5000 references, more than the timeline keeps: it must thin itself out
  # and still end at the total.
  refs=$(python3 -c 'print(",".join(str(i % 700) for i in range(5000)))')
  "$mmkit" sim --refs "$refs" --frames 64 --policy fifo --svg "$work/timeline.svg" >/dev/null 2>&1
  python3 - "$work/timeline.svg" <<'PY' || fail "the fault timeline is wrong"
import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
ns = '{http://www.w3.org/2000/svg}'
texts = [t.text for t in root.iter(ns + 'text')]
assert any(t and t.startswith('Faults over time') for t in texts), texts
line = next(root.iter(ns + 'polyline'))
points = [tuple(map(float, p.split(','))) for p in line.get('points').split()]
assert 512 <= len(points) <= 1025, len(points)
xs = [x for x, _ in points]
ys = [y for _, y in points]
assert xs == sorted(xs), 'references go forward'
assert ys == sorted(ys, reverse=True), 'cumulative faults never fall'
assert abs(ys[-1] - min(ys)) < 1e-9 and ys[-1] < ys[0]
PY
  ;;
several_traces_are_several_processes)
  "$mmkit" sim "$data/sort.lackey.xz" "$data/sort.lackey.xz" --quantum 1000 --json >"$work/two.json"
  [ "$(json_field "$work/two.json" processes)" = 2 ] || fail "two traces, not two processes"
  [ "$(json_field "$work/two.json" context_switches)" -gt 100 ] || fail "no context switches"
  ;;
explain_tells_each_step)
  expect 0 "page fault: no free frame; the policy evicts process 0 page 0x1 from frame 0 (clean)" -- \
    "$mmkit" sim --refs $belady --frames 3 --policy fifo --explain
  expect 0 "TLB hit" -- "$mmkit" sim --machine tiny --addrs 0x3a7,0x3a8 --explain
  # --steps: the textbook's table, a line a reference (Silberschatz's LRU
  # example, its first 13 references)
  "$mmkit" sim --refs 7,0,1,2,0,3,0,4,2,3,0,3,2 --frames 3 --policy lru --tlb-entries 0 \
    --steps >"$work/steps"
  head -13 "$work/steps" >"$work/steps.head"
  cat >"$work/steps.want" <<'EOF'
ref 1 (page 7): MISS, frames [7 - -]
ref 2 (page 0): MISS, frames [7 0 -]
ref 3 (page 1): MISS, frames [7 0 1]
ref 4 (page 2): MISS, evict 7, frames [2 0 1]
ref 5 (page 0): hit, frames [2 0 1]
ref 6 (page 3): MISS, evict 1, frames [2 0 3]
ref 7 (page 0): hit, frames [2 0 3]
ref 8 (page 4): MISS, evict 2, frames [4 0 3]
ref 9 (page 2): MISS, evict 3, frames [4 0 2]
ref 10 (page 3): MISS, evict 0, frames [4 3 2]
ref 11 (page 0): MISS, evict 4, frames [0 3 2]
ref 12 (page 3): hit, frames [0 3 2]
ref 13 (page 2): hit, frames [0 3 2]
EOF
  cmp -s "$work/steps.head" "$work/steps.want" || { diff "$work/steps.want" "$work/steps.head" >&2; fail "--steps"; }
  expect 2 "--steps is a story of its own" -- "$mmkit" sim --refs 1 --steps --explain
  # with --json, the document carries the same steps: one per reference,
  # and a context switch between processes
  "$mmkit" sim --machine tiny --frames 1 --refs 1w,2,0:1,1:5 --quantum 1 --explain --json \
    >"$work/steps.json"
  python3 - "$work/steps.json" <<'PY' || fail "the JSON steps are wrong"
import json, sys
d = json.load(open(sys.argv[1]))
steps = [s for s in d["steps"] if "reference" in s]
assert len(steps) == d["references"] == 4, d
assert [s["page"] for s in steps] == [1, 2, 1, 5], steps
assert steps[1]["page_fault"]["victim"] == {"pid": 0, "page": 1, "dirty": True}, steps[1]
assert steps[2]["page_fault"]["from_swap"] and "in-swap" in steps[2]["entry"]["bits"], steps[2]
assert sum(s.get("walk", {}).get("reads", 0) for s in steps) == d["walk_accesses"], d
switches = [s for s in d["steps"] if "context_switch" in s]
assert [s["context_switch"] for s in switches] == [1], switches
PY
  "$mmkit" sim --translation segmentation --segment 'code 0x0 0x100 r-x 0x1000' \
    --addrs 0x10,0x200 --kinds L --explain --json >"$work/segments.json"
  python3 - "$work/segments.json" <<'PY' || fail "the JSON steps of segmentation are wrong"
import json, sys
steps = json.load(open(sys.argv[1]))["steps"]
assert steps[0]["segment"] == "code" and steps[0]["physical"] == 0x1010, steps[0]
assert steps[1]["protection_fault"] == "no segment holds the address", steps[1]
PY
  ;;
trace_records_a_real_program)
  "$mmkit" trace -o "$work/true.mmt" -- true
  expect 0 "references" -- "$mmkit" sim "$work/true.mmt"
  ;;
*)
  fail "unknown check $check"
  ;;
esac
