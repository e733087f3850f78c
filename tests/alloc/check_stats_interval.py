#!/usr/bin/env python3
"""stats_interval=DURATION: a program that runs for a while prints its
statistics every DURATION, each block saying when, as text or (stats=2) as
JSON lines, to stderr or to log_file; without the option it prints none.

Usage: check_stats_interval.py PROGRAM LIBMMKIT"""
import json
import os
import re
import subprocess
import sys
import tempfile

PROGRAM, LIB = sys.argv[1:3]
RUN_MS, INTERVAL_MS = 1000, 100
failures = []


def run(options):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "MMKIT_OPTIONS")}
    env.update(LD_PRELOAD=LIB, MMKIT_OPTIONS=options)
    return subprocess.run([PROGRAM, str(RUN_MS)], capture_output=True, text=True, env=env,
                          timeout=60)


def check(what, ok, r=None):
    if not ok:
        shown = "" if r is None else f"\n    exit {r.returncode}\n    stderr: {r.stderr[-2000:]!r}"
        failures.append(what + shown)


def times_are_periodic(what, times, r):
    """Printed while it ran, every INTERVAL_MS or more apart (the program's
    allocations find it due; a loaded machine may delay one, never hasten
    it), and at least a few times in RUN_MS."""
    check(f"{what}: {len(times)} periodic blocks in {RUN_MS} ms, every {INTERVAL_MS} ms: "
          f"at least 3, at most {RUN_MS // INTERVAL_MS + 1}",
          3 <= len(times) <= RUN_MS // INTERVAL_MS + 1, r)
    gaps = [b - a for a, b in zip(times, times[1:])]
    check(f"{what}: times {times} rise, {INTERVAL_MS} ms apart or more (to the 0.1 s printed)",
          all(g >= INTERVAL_MS / 1000 - 0.05 for g in gaps) and times == sorted(times), r)


HEADER = re.compile(r"mmkit statistics of process (\d+) \(allocates_for_a_while\)( at (\d+\.\d) s)?")

# text, on stderr; no block at exit without stats=1
r = run(f"stats_interval={INTERVAL_MS}ms")
check("the program runs to its end", r.returncode == 0 and "done" in r.stdout, r)
headers = [HEADER.fullmatch(l) for l in r.stderr.splitlines() if l.startswith("mmkit statistics")]
check("every block names its process", all(headers), r)
times = [float(m[3]) for m in headers if m and m[3]]
times_are_periodic("text", times, r)
check("without stats=1, no block at exit", all(m and m[3] for m in headers), r)

# with stats=1 the block at exit comes last, without a time
r = run(f"stats_interval={INTERVAL_MS}ms,stats=1")
headers = [HEADER.fullmatch(l) for l in r.stderr.splitlines() if l.startswith("mmkit statistics")]
check("stats=1: the last block is the one at exit, without a time",
      len(headers) >= 2 and headers[-1] and headers[-1][2] is None, r)

# JSON lines with stats=2: one object a line, the periodic ones with "seconds"
r = run(f"stats_interval={INTERVAL_MS}ms,stats=2")
try:
    docs = [json.loads(l) for l in r.stderr.splitlines() if l.strip()]
except json.JSONDecodeError as e:
    docs = []
    check(f"stats=2: every line of stderr is a JSON object ({e})", False, r)
check("stats=2: the last object is the one at exit", docs and "seconds" not in docs[-1], r)
times_are_periodic("JSON", [d["seconds"] for d in docs[:-1] if "seconds" in d], r)
check("stats=2: each periodic object has the statistics",
      all({"classes", "large", "mapped_bytes"} <= set(d) for d in docs), r)

# log_file: the blocks go to the file, stderr stays quiet
with tempfile.TemporaryDirectory() as work:
    log = os.path.join(work, "stats.log")
    r = run(f"stats_interval={INTERVAL_MS}ms,log_file={log}")
    check("log_file: nothing on stderr", r.stderr == "", r)
    text = open(log).read() if os.path.exists(log) else ""
    times = [float(m[3]) for m in map(HEADER.fullmatch, text.splitlines()) if m and m[3]]
    times_are_periodic("log_file", times, r)

# without the option, nothing
r = run("")
check("no stats_interval: no statistics", "mmkit statistics" not in r.stderr, r)

if failures:
    sys.exit(f"{len(failures)} failure(s):\n" + "\n".join(f"- {f}" for f in failures))
print("stats_interval: ok")
