#!/usr/bin/env python3
"""Debug mode as it comes, MMKIT_OPTIONS=mode=debug and no other option,
reports every class of bug in docs/CHECKING.md's table, and nothing in
correct programs.

Each class runs as `memory_bugs BUG`, a program that makes that one bug and
ends, on libmmkit (LD_PRELOAD).  An error must end it by abort() after one
report with the class's words, whose first and last lines are the stable
ones (`==PID== mmkit: error: WORDS ...`, `SUMMARY: mmkit: WORDS 0x...`); a
report about a block must show where the block was allocated and, if it
was, freed: the functions of memory_bugs.c that did it.  A leak is reported
at exit, with the function that lost the blocks; a fresh block reads as junk.

Then python3, sqlite3 and a C++ program run in debug mode: exit status,
standard output and standard error as without libmmkit, and no report.
Debug mode's note that its budget of guarded blocks is spent is no report.
Usage: debug_mode_misses_nothing.py MEMORY_BUGS LIBMMKIT CXX_PROGRAM"""
import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

DRIVER, LIBMMKIT, CXX_PROGRAM = sys.argv[1:4]
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "alloc")

# CHECKING.md's classes: the bug, the report's words, the function of
# memory_bugs.c that allocated the block and the one that freed it (None:
# not checked, as for a pointer that is no block).
ERRORS = [
    ("double_free_small", "double free", "double_free", "double_free"),
    ("double_free_medium", "double free", "double_free", "double_free"),
    ("double_free_large", "double free", "double_free", "double_free"),
    ("double_free_huge", "double free", "double_free", "double_free"),
    ("double_free_late", "double free", "double_free_late", "double_free_late"),
    ("invalid_free_stack", "invalid free", None, None),
    ("invalid_free_global", "invalid free", None, None),
    ("invalid_free_wild", "invalid free", None, None),
    ("invalid_free_forged", "invalid free", None, None),
    ("invalid_free_middle", "invalid free", None, None),
    ("invalid_free_unaligned", "invalid free", None, None),
    ("overflow_1", "heap overflow", "overflow_1", None),
    ("underflow_1", "heap underflow", "underflow_1", None),
    ("slab_overrun", "heap overflow (write)", "slab_overrun", None),
    ("write_after_free", "use after free (write)", "write_after_free", "write_after_free"),
    ("write_after_free_at_exit", "write after free", "write_after_free_at_exit",
     "write_after_free_at_exit"),
    ("read_after_free", "use after free (read)", "read_after_free", "read_after_free"),
    ("read_after_free_of_realloc", "use after free (read)", "read_after_free_of_realloc",
     "read_after_free_of_realloc"),
    ("read_after_free_large", "use after free (read)", "read_after_free_large",
     "read_after_free_large"),
    ("realloc_freed", "realloc of freed block", "realloc_freed", "realloc_freed"),
]

SQL = """CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, n REAL);
WITH RECURSIVE i(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM i WHERE x < 3000)
INSERT INTO t SELECT x, printf('name%d', x * 7 % 1000), x / 3.0 FROM i;
CREATE INDEX t_name ON t(name);
SELECT count(*), sum(length(name)), round(sum(n), 2) FROM t;
UPDATE t SET name = name || upper(name) WHERE id % 3 = 0;
DELETE FROM t WHERE id % 5 = 0;
SELECT name, count(*) FROM t GROUP BY name ORDER BY count(*) DESC, name LIMIT 5;
SELECT group_concat(id, ',') FROM (SELECT id FROM t WHERE name LIKE 'name1%' LIMIT 20);
"""

failures = []


def run(cmd, debug, stdin=None):
    env = {k: v for k, v in os.environ.items() if k not in ("MMKIT_OPTIONS", "LD_PRELOAD")}
    env["LC_ALL"] = "C"
    if debug:
        env["LD_PRELOAD"] = LIBMMKIT
        env["MMKIT_OPTIONS"] = "mode=debug"
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env, timeout=120)


def fail(what, problems, r):
    failures.append(f"{what}: " + "; ".join(problems) + f"\n    exit {r.returncode}"
                    f"\n    stderr: {r.stderr[:2500]!r}")


def frames_after(lines, heading):
    """The frames printed under `heading` (a line of the report), or []."""
    if heading not in lines:
        return []
    frames = []
    for line in lines[lines.index(heading) + 1:]:
        if not re.match(r"\s+#\d+ ", line):
            break
        frames.append(line)
    return frames


def names(frames, function):
    return any(re.search(rf" in {function} at memory_bugs\.c:\d+", f) for f in frames)


def check_error(bug, words, allocated_in, freed_in):
    r = run([DRIVER, bug], True)
    lines = r.stderr.splitlines()
    problems = []
    if r.returncode != -6:
        problems.append(f"exit {r.returncode}, not SIGABRT")
    fault = re.fullmatch(r"(.*) \((read|write)\)", words)
    plain = fault[1] if fault else words
    first = rf"==\d+== mmkit: error: {re.escape(plain)}" + \
        (rf" \({fault[2]}\) at (0x[0-9a-f]+)" if fault else r" of (0x[0-9a-f]+)")
    headers = [l for l in lines if "mmkit: error" in l]
    m = re.fullmatch(first, headers[0]) if len(headers) == 1 else None
    if not m:
        problems.append(f"error lines {headers}, not one report of {words!r}")
    elif f"SUMMARY: mmkit: {plain} {m[1]}" not in lines:
        problems.append(f"no line 'SUMMARY: mmkit: {plain} {m[1]}'")
    if allocated_in and not names(frames_after(lines, "  the block was allocated at:"),
                                  allocated_in):
        problems.append(f"the allocation stack does not name {allocated_in}")
    if freed_in and not names(frames_after(lines, "  and freed at:"), freed_in):
        problems.append(f"the free stack does not name {freed_in}")
    if problems:
        fail(f"{bug} [mode=debug]", problems, r)


def check_leak():
    r = run([DRIVER, "leak"], True)
    lines = r.stderr.splitlines()
    problems = []
    if r.returncode != 0 or "survived" not in r.stdout.splitlines():
        problems.append("the program did not run to its end")
    group = "Direct leak of 300 byte(s) in 3 block(s) allocated at:"
    if not names(frames_after(lines, group), "lose_blocks"):
        problems.append(f"no {group!r} naming lose_blocks")
    if "SUMMARY: mmkit: 324 byte(s) leaked in 4 block(s)." not in lines:
        problems.append("no summary of 324 bytes in 4 blocks")
    if problems:
        fail("leak [mode=debug]", problems, r)


def check_junk():
    r = run([DRIVER, "uninit_read"], True)
    if r.returncode != 0 or r.stdout.splitlines() != ["junk", "survived"] or r.stderr:
        fail("uninit_read [mode=debug]", ["a fresh block must read as junk, with no report"], r)


def check_clean(name, cmd, stdin=None):
    plain, debug = run(cmd, False, stdin), run(cmd, True, stdin)
    problems = []
    if plain.returncode != 0:
        problems.append(f"without libmmkit the program failed: {plain.stderr[-500:]!r}")
    if debug.returncode != plain.returncode:
        problems.append(f"exit {debug.returncode} in debug mode, {plain.returncode} without")
    if debug.stdout != plain.stdout:
        problems.append("standard output differs")
    rest = [l for l in debug.stderr.splitlines() if not l.startswith("mmkit: debug: ")]
    if rest != plain.stderr.splitlines():
        problems.append("standard error differs (a report?)")
    if problems:
        fail(f"{name} [mode=debug]", problems, debug)


sqlite = shutil.which("sqlite3")
if not sqlite:
    failures.append("sqlite3 is not installed (scripts/deps.sh test installs it)")
jobs = [lambda e=e: check_error(*e) for e in ERRORS] + [
    check_leak, check_junk,
    lambda: check_clean("python3", [sys.executable, os.path.join(DATA, "dicts_lists_strings.py")]),
    lambda: check_clean("C++", [CXX_PROGRAM]),
]
if sqlite:
    jobs.append(lambda: check_clean("sqlite3", [sqlite, "-batch", ":memory:"], SQL))
with ThreadPoolExecutor(max_workers=2) as pool:
    list(pool.map(lambda job: job(), jobs))

if failures:
    sys.exit(f"{len(failures)} failure(s):\n" + "\n".join(f"- {f}" for f in failures))
print(f"debug mode reported all {len(ERRORS) + 2} classes of bug, and nothing in python3, "
      "sqlite3 and a C++ program")
