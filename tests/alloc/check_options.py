#!/usr/bin/env python3
"""MMKIT_OPTIONS is read at start-up: values and suffixes parse, unknown keys
and bad values give one warning each and the program runs on, verbose=1
lists every option, stats=1 prints statistics at exit, limit=SIZE says once
that it refused an allocation.
Usage: check_options.py PROBE"""
import json
import os
import re
import subprocess
import sys

PROBE = sys.argv[1]
DEFAULT_THRESHOLD = 1 << 20
failures = []


def run(options):
    env = dict(os.environ)
    env.pop("MMKIT_OPTIONS", None)
    if options is not None:
        env["MMKIT_OPTIONS"] = options
    r = subprocess.run([PROBE], capture_output=True, text=True, env=env, timeout=60)
    values = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition(" ")
        values[key] = value
    return r, values


def check(what, ok, r=None):
    if not ok:
        detail = "" if r is None else f"\n  exit {r.returncode}\n  stdout: {r.stdout!r}\n  stderr: {r.stderr!r}"
        failures.append(f"{what}{detail}")


def ran_on(options, r, values):
    check(f"[{options}] exits 0 and finishes", r.returncode == 0 and "done" in values, r)


def expect(options, **want):
    """Run with `options`; each keyword is an option (or large_100k) and its
    expected value; stderr must be empty."""
    r, values = run(options)
    ran_on(options, r, values)
    for key, value in want.items():
        check(f"[{options}] {key} is {value}", values.get(key) == str(value), r)
    check(f"[{options}] prints nothing on stderr", r.stderr == "", r)
    return r, values


def expect_one_warning(options, warning, **want):
    r, values = run(options)
    ran_on(options, r, values)
    lines = r.stderr.splitlines()
    check(f"[{options}] warns exactly {warning!r}", lines == [warning], r)
    for key, value in want.items():
        check(f"[{options}] {key} is {value}", values.get(key) == str(value), r)


# defaults
expect(None, mmap_threshold=DEFAULT_THRESHOLD, large_100k=0, inject_mmap_failure=0)
expect("", mmap_threshold=DEFAULT_THRESHOLD)

# values and suffixes
expect("mmap_threshold=64K", mmap_threshold=64 << 10, large_100k=1)
expect("mmap_threshold=65536", mmap_threshold=65536, large_100k=1)
expect("mmap_threshold=512K", mmap_threshold=512 << 10, large_100k=0)
expect("mmap_threshold=1M", mmap_threshold=1 << 20, large_100k=0)
# clamped to 1 KiB..1 MiB: smaller blocks always come from size classes,
# larger ones are always mapped on their own
expect("mmap_threshold=1G", mmap_threshold=DEFAULT_THRESHOLD)
expect("mmap_threshold=100", mmap_threshold=1024, large_100k=1)
expect("purge_delay_ms=0", purge_delay_ms=0)
expect("purge_delay_ms=250,mmap_threshold=64K", purge_delay_ms=250, mmap_threshold=65536)
expect("stats=0", stats=0)

# durations need a unit (but 0), as a bare number could mean seconds or
# milliseconds; mmkit_option_get gives milliseconds
expect("stats_interval=250ms", stats_interval=250)
expect("stats_interval=2s", stats_interval=2000)
expect("stats_interval=1m", stats_interval=60000)
expect("stats_interval=0", stats_interval=0)
for bad in ["5", "1x", "s", "-1s", "8d"]:
    expect_one_warning(f"stats_interval={bad}",
                       f"mmkit: warning: MMKIT_OPTIONS: bad value '{bad}' for 'stats_interval'",
                       stats_interval=0)

# unknown keys and bad values: one line each, the rest still applies
expect_one_warning("bogus=1", "mmkit: warning: MMKIT_OPTIONS: unknown option 'bogus'",
                   mmap_threshold=DEFAULT_THRESHOLD)
expect_one_warning("mmap_threshold=64K,no_such_key=2,purge_delay_ms=5",
                   "mmkit: warning: MMKIT_OPTIONS: unknown option 'no_such_key'",
                   mmap_threshold=65536, purge_delay_ms=5)
for bad in ["abc", "12Q", "-5"]:
    expect_one_warning(f"mmap_threshold={bad}",
                       f"mmkit: warning: MMKIT_OPTIONS: bad value '{bad}' for 'mmap_threshold'",
                       mmap_threshold=DEFAULT_THRESHOLD)
expect_one_warning("purge_delay_ms=soon",
                   "mmkit: warning: MMKIT_OPTIONS: bad value 'soon' for 'purge_delay_ms'")
expect_one_warning("verbose=0,inject_mmap_failure=x",
                   "mmkit: warning: MMKIT_OPTIONS: bad value 'x' for 'inject_mmap_failure'",
                   inject_mmap_failure=0)

# verbose=1 names every option with the value in force
r, values = run("verbose=1,mmap_threshold=64K")
ran_on("verbose=1", r, values)
for key in ["mmap_threshold", "purge_delay_ms", "verbose", "stats", "inject_mmap_failure"]:
    line = f"mmkit: option {key}={values.get(key)}"
    check(f"[verbose=1] stderr has {line!r}", line in r.stderr.splitlines(), r)
check("[verbose=1] mmap_threshold shown as 65536",
      "mmkit: option mmap_threshold=65536" in r.stderr.splitlines(), r)
r, values = run("verbose=1,stats_interval=2s")
check("[verbose=1] a duration is shown with its unit",
      "mmkit: option stats_interval=2000ms" in r.stderr.splitlines(), r)

# leaks and quarantine default to what the mode wants: verbose=1 and
# mmkit_option_get give the values in effect, never -1
for options, leaks, quarantine in [("verbose=1", 0, 0),
                                   ("verbose=1,mode=hardened", 0, 0),
                                   ("verbose=1,mode=debug", 1, 16 << 20),
                                   ("verbose=1,mode=debug,leaks=2,quarantine=1M", 2, 1 << 20),
                                   ("verbose=1,guard=all", 0, 64 << 20)]:
    r, values = run(options)
    ran_on(options, r, values)
    lines = r.stderr.splitlines()
    for key, value in [("leaks", leaks), ("quarantine", quarantine)]:
        line = f"mmkit: option {key}={value}"
        check(f"[{options}] stderr has {line!r}", line in lines, r)
        check(f"[{options}] mmkit_option_get({key!r}) is {value}", values.get(key) == str(value), r)
    check(f"[{options}] no option shown as -1", not any(l.endswith("=-1") for l in lines), r)

# stats=1 prints statistics at exit, after the program's own output
r, values = run("stats=1")
ran_on("stats=1", r, values)
check("[stats=1] prints statistics on stderr", len(r.stderr.strip().splitlines()) >= 2, r)

# the text and the JSON name the blocks mapped on their own alike, "large",
# with the same numbers
r, values = run("stats=1,mmap_threshold=64K")
ran_on("stats=1,mmap_threshold=64K", r, values)
rows = {line.split()[0]: line.split()[1:] for line in r.stderr.splitlines() if line.strip()}
r2, _ = run("stats=2,mmap_threshold=64K")
try:
    large = json.loads(r2.stderr)["large"]
    want = [str(large[k]) for k in ["allocs", "frees", "live_bytes", "peak_bytes"]]
except (json.JSONDecodeError, KeyError, TypeError) as e:
    want = None
    check(f"[stats=2,mmap_threshold=64K] the JSON has 'large' ({e})", False, r2)
check("[stats=1] the row of blocks mapped on their own is 'large', as in the JSON",
      want is not None and rows.get("large") == want and want[0] == "1", r)
check("[stats=1] no row is called 'huge'", "huge" not in rows, r)

# stats=2 prints them as one JSON object
r, values = run("stats=2")
ran_on("stats=2", r, values)
try:
    doc = json.loads(r.stderr)
    check("[stats=2] the JSON has the statistics' keys",
          isinstance(doc, dict) and {"classes", "large", "mapped_bytes"} <= set(doc), r)
except json.JSONDecodeError as e:
    check(f"[stats=2] stderr is one JSON object ({e})", False, r)

# inject_mmap_failure read from the environment makes allocations fail
r, values = run("inject_mmap_failure=3")
ran_on("inject_mmap_failure=3", r, values)
check("[inject_mmap_failure=3] is in force", values.get("inject_mmap_failure") == "3", r)
check("[inject_mmap_failure=3] some large allocations fail",
      int(values.get("nulls", "0")) > 0, r)

# every mmap failing from the start: allocations fail, the program runs on
r, values = run("inject_mmap_failure=1")
ran_on("inject_mmap_failure=1", r, values)
check("[inject_mmap_failure=1] every large allocation fails", values.get("nulls") == "200", r)
check("[inject_mmap_failure=1] failures that are not the limit's print nothing", r.stderr == "", r)

# limit=SIZE: allocations past it fail with ENOMEM, and the first one says
# so on stderr, naming the limit and the request; the others say nothing
LIMIT_REACHED = (r"mmkit: limit=1048576 reached: an allocation of 2000000 bytes returns NULL "
                 r"\(ENOMEM\): mapping \d+ more bytes would pass the limit \(\d+ mapped\)")
for options in ["limit=1M", "limit=1M,mode=hardened"]:
    r, values = run(options)
    ran_on(options, r, values)
    check(f"[{options}] allocations past it fail with ENOMEM", values.get("limit_refused") == "3", r)
    lines = r.stderr.splitlines()
    check(f"[{options}] says once that the limit is reached",
          len(lines) == 1 and re.fullmatch(LIMIT_REACHED, lines[0]) is not None, r)

if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print("ok: options")
