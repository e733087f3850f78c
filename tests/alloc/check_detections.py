#!/usr/bin/env python3
"""Each checking mode catches the memory bugs its design promises, and only
those: memory_bugs runs every bug on libmmkit (LD_PRELOAD) in every mode.

A caught bug ends the program by abort() after one report whose first line
is `==PID== mmkit: error: WORDS of 0xADDR` (`WORDS (read|write) at 0xADDR`
for a fault) and whose last is `SUMMARY: mmkit: WORDS 0xADDR`; with
abort_on_error=0 the same report comes once and the program runs on (not
after a fault: a faulting access cannot go on).  A bug not caught leaves the
program to print "survived" and exit 0 with no error reported.  The correct
program prints no "mmkit:" line in any mode.

Prints the table of what each mode caught, as markdown, and fails listing
every cell that differs from EXPECT.
Usage: check_detections.py MEMORY_BUGS LIBMMKIT"""
import os
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

DRIVER, LIBMMKIT = sys.argv[1], sys.argv[2]

# Column name -> MMKIT_OPTIONS.
MODES = {
    "fast": "mode=fast",
    "hardened": "mode=hardened",
    "debug": "mode=debug",
    "debug+guard=all": "mode=debug,guard=all",
    "sample": "mode=sample,sample_rate=1",
}

# The report's words per mode, in the order of MODES; None: not caught.
# "WORDS (read)" / "WORDS (write)": caught at once, by a fault.
#
# fast      checks nothing.
# hardened  no header: the core vets every free and realloc: a pointer that
#           is not a block's start is an invalid free, a block whose encoded
#           link decodes into its own page is freed already; nothing about
#           the block's bytes.
# debug     also canaries after each block, poison in freed ones checked
#           when they leave the quarantine and at exit; and blocks of up to
#           a page on guarded pages of their own (as guard=all's), while a
#           budget of them lasts: an access to such a freed block faults.
#           A larger block's write after free shows on free or at exit;
#           the whole pages of one of 64 KiB or more are kept inaccessible
#           while it waits in the quarantine, so any access to them faults.
# guard=all every block on pages of its own, a guard page after it: an
#           access to a freed block faults.  Small blocks end 16-byte
#           aligned, so the byte just past a 24-byte block is on its page
#           (checked on free), not on the guard page.
# sample    sample_rate=1: every block up to 64 KiB (the pool's slots) is
#           guarded as with guard=all, while slots last; no headers, so
#           larger blocks and pointers outside the pool are not checked.
#           The pool keeps half its slots in quarantine: a slot freed
#           before many other frees serves another block, and the late
#           second free is then a free of no block it knows.
DF, IF = "double free", "invalid free"
EXPECT = {
    #                        fast  hardened  debug  debug+guard=all  sample
    "double_free_small":      (None, DF, DF, DF, DF),
    "double_free_medium":     (None, DF, DF, DF, DF),
    "double_free_large":      (None, DF, DF, DF, None),
    "double_free_huge":       (None, DF, DF, DF, None),
    "double_free_late":       (None, DF, DF, DF, IF),
    "invalid_free_stack":     (None, IF, IF, IF, None),
    "invalid_free_global":    (None, IF, IF, IF, None),
    "invalid_free_wild":      (None, IF, IF, IF, None),
    "invalid_free_forged":    (None, IF, IF, IF, IF),
    "invalid_free_middle":    (None, IF, IF, IF, IF),
    "invalid_free_unaligned": (None, IF, IF, IF, IF),
    "overflow_1":             (None, None, "heap overflow", "heap overflow", "heap overflow"),
    "underflow_1":            (None, None, "heap underflow", "heap underflow",
                               "heap underflow"),
    "write_after_free":       (None, None, "use after free (write)", "use after free (write)",
                               "use after free (write)"),
    "write_after_free_at_exit": (None, None, "write after free", "use after free (write)",
                                 "use after free (write)"),
    "read_after_free":        (None, None, "use after free (read)", "use after free (read)",
                               "use after free (read)"),
    "read_after_free_of_realloc": (None, None, "use after free (read)", "use after free (read)",
                                   "use after free (read)"),
    "read_after_free_large":  (None, None, "use after free (read)", "use after free (read)",
                               None),
    "realloc_freed":          (None, "realloc of freed block", "realloc of freed block",
                               "realloc of freed block", "realloc of freed block"),
    "uninit_read":            (None, None, None, None, None),
}

# Lines the program must print in a mode, beyond "survived".
EXPECT_STDOUT = {
    ("uninit_read", "debug"): "junk",
    ("uninit_read", "debug+guard=all"): "junk",
}

# Bugs found at exit, once the program has printed "survived" (which the
# abort() that ends the report may leave unwritten, in stdout's buffer).
AT_EXIT = {("write_after_free_at_exit", "debug")}

FAULT = re.compile(r"(.*) \((read|write)\)")
ADDRESS = r"(0x[0-9a-f]+)"
failures = []


def run(bug, options):
    env = {k: v for k, v in os.environ.items() if k != "MMKIT_OPTIONS"}
    env["LD_PRELOAD"] = LIBMMKIT
    env["MMKIT_OPTIONS"] = options
    return subprocess.run([DRIVER, bug], capture_output=True, text=True, env=env, timeout=80)


def describe(r):
    return (f"\n    exit {r.returncode}\n    stdout: {r.stdout[-300:]!r}"
            f"\n    stderr: {r.stderr[:1500]!r}")


def header_pattern(words):
    """The first line of a report of `words`."""
    fault = FAULT.fullmatch(words)
    if fault:
        what = rf"{re.escape(fault[1])} \({fault[2]}\) at"
    else:
        what = rf"{re.escape(words)} of"
    return re.compile(rf"==\d+== mmkit: error: {what} {ADDRESS}")


def reported(r):
    """The words of the first report in r's stderr, or None."""
    for line in r.stderr.splitlines():
        m = re.match(r"==\d+== mmkit: error: (.*?)(?: of| \((read|write)\) at) 0x", line)
        if m:
            return f"{m[1]} ({m[2]})" if m[2] else m[1]
    return None


def report_problems(r, words):
    """What is wrong with the one report of `words` in r's stderr."""
    lines = r.stderr.splitlines()
    headers = [l for l in lines if "mmkit: error" in l]
    if len(headers) != 1:
        return [f"{len(headers)} error reports, not 1"]
    m = header_pattern(words).fullmatch(headers[0])
    if not m:
        return [f"first report line {headers[0]!r} is not a report of {words!r}"]
    plain = FAULT.fullmatch(words)[1] if FAULT.fullmatch(words) else words
    summary = f"SUMMARY: mmkit: {plain} {m[1]}"
    return [] if summary in lines else [f"no line {summary!r}"]


def measure(bug, mode):
    """Run one cell: (what was reported, or None), checking it against EXPECT."""
    options = MODES[mode]
    words = EXPECT[bug][list(MODES).index(mode)]
    r = run(bug, options)
    found = reported(r)
    problems = []
    if words is None:
        if r.returncode != 0:
            problems.append(f"exit {r.returncode}, not 0")
        if "survived" not in r.stdout.splitlines():
            problems.append("no 'survived'")
        if "mmkit: error" in r.stderr:
            problems.append("an error was reported")
    else:
        if r.returncode != -6:
            problems.append(f"exit {r.returncode}, not SIGABRT")
        if "survived" in r.stdout and (bug, mode) not in AT_EXIT:
            problems.append("'survived' printed")
        problems += report_problems(r, words)
    want = EXPECT_STDOUT.get((bug, mode))
    if want is not None and want not in r.stdout.splitlines():
        problems.append(f"stdout lacks {want!r}")
    if problems:
        failures.append(f"{bug} [{options}]: expected {words or 'nothing caught'}: "
                        + "; ".join(problems) + describe(r))

    # With abort_on_error=0 an error that is not a fault lets the program go on.
    if words is not None and not FAULT.fullmatch(words):
        r = run(bug, options + ",abort_on_error=0")
        problems = []
        if r.returncode != 0:
            problems.append(f"exit {r.returncode}, not 0")
        if "survived" not in r.stdout.splitlines():
            problems.append("no 'survived'")
        problems += report_problems(r, words)
        if problems:
            failures.append(f"{bug} [{options},abort_on_error=0]: expected {words}: "
                            + "; ".join(problems) + describe(r))
    return found


def check_correct_program(mode):
    r = run("ok", MODES[mode])
    noise = [l for l in r.stderr.splitlines() if "mmkit:" in l]
    if r.returncode != 0 or "survived" not in r.stdout.splitlines() or noise:
        failures.append(f"ok [{MODES[mode]}]: a correct program must run clean" + describe(r))


def check_hardening_layout():
    """Hardened mode encodes free-list links, shuffles fresh blocks (in runs
    of `shuffle` neighbours, 8 unless told) and ends each page of small
    blocks with a guard page, whose fault is reported; fast mode does none
    of it.  Of 63 pairs of
    blocks allocated one after the other, runs of 8 leave 7 in address order
    on average (more than 24 about once in 10^5 runs), a whole-page shuffle
    about 1."""
    counts = {}
    for name, options in (("fast", MODES["fast"]), ("hardened", MODES["hardened"]),
                          ("unshuffled", "mode=hardened,shuffle=0"),
                          ("page", "mode=hardened,shuffle=256")):
        r = run("hardening_layout", options)
        counts[name] = {k: int(v) for k, v in
                        (line.split() for line in r.stdout.splitlines() if line != "survived")}
    fast, hard = counts["fast"], counts["hardened"]
    if not (fast["plain_links"] > 32 and hard["plain_links"] == 0):
        failures.append(f"free-list links: plain in fast mode, encoded in hardened: {counts}")
    if not (fast["in_order"] > 32 and hard["in_order"] <= 24 and counts["unshuffled"]["in_order"] > 32
            and counts["page"]["in_order"] <= 8):
        failures.append("fresh blocks: in order in fast mode and with shuffle=0, shuffled in "
                        f"hardened, more so with shuffle=256: {counts}")
    for options, want in (("mode=hardened", "kept"), ("mode=hardened,zero_on_free=1", "zeroed")):
        r = run("freed_bytes", options)
        if r.stdout.split()[:1] != [want]:
            failures.append(f"[{options}] a freed block's bytes are {want}" + describe(r))
    # Guarded blocks (guard=all, sample mode, debug mode's small blocks)
    # fault on their own guard page; other blocks on the guard page that
    # ends their page of blocks (hardened mode, and debug mode's blocks that
    # are not guarded: guard_blocks=0 guards none).  A page's guard is a
    # guard region where the kernel has them, else (as in memory locked by
    # lock=all, which guard regions refuse) mprotect's.
    for options, page_guard in (("mode=hardened", True), ("mode=debug,guard_blocks=0", True),
                                ("mode=hardened,lock=all", True), (MODES["debug"], False),
                                (MODES["debug+guard=all"], False), (MODES["sample"], False)):
        r = run("slab_overrun", options)
        problems = report_problems(r, "heap overflow (write)")
        on_page = re.search(r"in the guard page after a page of \d+-byte blocks", r.stderr)
        on_slot = "of the guarded blocks around the address, this live one is the nearest" \
            in r.stderr
        if r.returncode != -signal.SIGABRT or problems or \
                not (on_page if page_guard else on_slot):
            failures.append(f"[{options}]: running off a block must fault on a guard page, "
                            "reported as a heap overflow (past its page of blocks, or past the "
                            "guarded block's own page): " + "; ".join(problems) + describe(r))


def check_free_list_links():
    """Hardened mode checks each free-list link it follows: one that a write
    after free (or an overflow into the next block) changed is reported,
    not followed into a crash; with abort_on_error=0 the program goes on."""
    for options, survives in (("mode=hardened", False), ("mode=hardened,abort_on_error=0", True)):
        r = run("free_list_overwritten", options)
        headers = [l for l in r.stderr.splitlines() if "mmkit: error" in l]
        problems = [] if headers else ["no report"]
        if headers and not all(header_pattern("write after free").fullmatch(h) for h in headers):
            problems.append(f"reports {headers}, not of a write after free")
        if "the link the allocator keeps in the freed block was overwritten" not in r.stderr:
            problems.append("the report does not say the free-list link was overwritten")
        ended = (r.returncode == 0 and "survived" in r.stdout) if survives \
            else r.returncode == -signal.SIGABRT and len(headers) == 1
        if problems or not ended:
            failures.append(f"[{options}]: an overwritten free-list link is reported, then "
                            f"{'the program goes on' if survives else 'abort'}: "
                            + "; ".join(problems) + describe(r))


def check_guard_budget():
    """Debug mode guards blocks while a budget of them lasts (guard_blocks),
    and says once when it is spent; later blocks have headers and poison,
    which still show a write after free (found at exit here)."""
    options = "mode=debug,guard_blocks=100"
    r = run("write_after_free_past_200_blocks", options)
    notes = [l for l in r.stderr.splitlines() if l.startswith("mmkit: debug: ")]
    problems = report_problems(r, "write after free")
    if len(notes) != 1 or not re.fullmatch(
            r"mmkit: debug: 100 guarded blocks in use; later blocks are checked by poison "
            r"only, .*", notes[0]):
        problems.append(f"notes {notes}, not one that the 100 guarded blocks are in use")
    if r.returncode != -signal.SIGABRT or problems:
        failures.append(f"[{options}]: past the budget, one note and a write after free found "
                        "by the poison: " + "; ".join(problems) + describe(r))
    # guard_blocks=0: no guarded block, no note; the poison still shows it.
    r = run("write_after_free", "mode=debug,guard_blocks=0")
    problems = report_problems(r, "write after free")
    if r.returncode != -signal.SIGABRT or problems or "mmkit: debug: " in r.stderr:
        failures.append("[mode=debug,guard_blocks=0]: a write after free found by the poison, "
                        "and no note: " + "; ".join(problems) + describe(r))


cells = [(bug, mode) for bug in EXPECT for mode in MODES]
with ThreadPoolExecutor(max_workers=4) as pool:
    measured = dict(zip(cells, pool.map(lambda c: measure(*c), cells)))
    list(pool.map(check_correct_program, MODES))
check_hardening_layout()
check_free_list_links()
check_guard_budget()

print("| bug | " + " | ".join(MODES) + " |")
print("|---|" + "---|" * len(MODES))
for bug in EXPECT:
    row = []
    for i, mode in enumerate(MODES):
        got, want = measured[(bug, mode)], EXPECT[bug][i]
        cell = got or "—"
        if got != want:
            cell += f" ✗ (expected {want or '—'})"
        row.append(cell)
    print(f"| {bug} | " + " | ".join(row) + " |")

if failures:
    sys.exit(f"\n{len(failures)} failure(s):\n" + "\n".join(f"- {f}" for f in failures))
print("\nevery mode catches what it should")
