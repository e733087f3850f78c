"""Instruction counts of one workload under each allocator, from valgrind's
callgrind.

Wall time on a shared two-core machine moves by several percent from run to
run; the number of instructions executed hardly moves at all, so it shows
small gains and losses on the allocator's paths that timing would hide.
Valgrind runs one thread at a time, so for the multi-threaded workloads the
count is of the same work done serially (no contention, no false sharing).
The work is cut to a twentieth, as callgrind runs some fifty times slower.
"""

import os
import re
import shutil
import subprocess
import tempfile

import allocators
import workloads as workload_registry
from allocators import BASELINE, Allocator
from report import Table

SCALE = 0.05
TIMEOUT = 600
COLLECTED = re.compile(r"Collected : (\d+)")
# The allocator's entry points, whose calls are counted.
ENTRY_POINTS = {"malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign",
                "aligned_alloc", "memalign", "valloc", "pvalloc", "malloc_usable_size"}
NAMED = re.compile(r"c?fn=\((\d+)\)(?: (.*))?$")


def before(library):
    """Another build of libmmkit, counted as mmkit-before."""
    if not os.path.exists(library):
        raise SystemExit("bench: %s does not exist" % library)
    return Allocator("mmkit-before", os.path.abspath(library), "another build", peer=False)


def entry_point_calls(profile):
    """(calls, instructions in them) of the allocator's entry points, from a
    callgrind profile: every call to malloc, free, ... from anywhere, with
    the instructions executed inside it (inclusive)."""
    names = {}
    callee = None
    pending = None
    calls = instructions = 0
    with open(profile, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if pending is not None:
                # The line after calls= holds the call's inclusive cost.
                fields = line.split()
                if len(fields) >= 2:
                    calls += pending
                    instructions += int(fields[1])
                pending = None
                continue
            named = NAMED.match(line.rstrip("\n"))
            if named:
                if named.group(2):
                    names[named.group(1)] = named.group(2).strip()
                if line.startswith("cfn="):
                    # libc_malloc_debug.so's are versioned (malloc@GLIBC_2.2.5); a
                    # name with ' is a recursive call, counted in its caller's cost.
                    callee = names.get(named.group(1), "")
                    callee = None if "'" in callee else callee.split("@")[0]
            elif line.startswith("calls=") and callee in ENTRY_POINTS:
                pending = int(line[6:].split()[0])
    return calls, instructions


def _count(workload, allocator, inputs, valgrind):
    """(instructions, (calls, instructions in them)) or (None, what went
    wrong)."""
    argv, stdin = inputs.command(workload)
    environment = allocators.environment(allocator)
    if allocator.library:
        environment["LD_PRELOAD"] = allocator.library
    with tempfile.NamedTemporaryFile(prefix="callgrind-") as profile, \
            open(stdin or "/dev/null", "rb") as given:
        try:
            result = subprocess.run(
                [valgrind, "--tool=callgrind", "--trace-children=yes",
                 "--callgrind-out-file=" + profile.name, *argv],
                stdin=given, capture_output=True, env=environment, check=False,
                timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            return None, "timed out after %d s" % TIMEOUT
        stderr = result.stderr.decode(errors="replace")
        collected = COLLECTED.search(stderr)
        if result.returncode != 0 or not collected:
            return None, "no count; exit status %d" % result.returncode
        if workload_registry.check_of(workload, result.stdout.decode(errors="replace")) is None:
            return None, "printed no check"
        return int(collected.group(1)), entry_point_calls(profile.name)


def table(workload, counted, inputs):
    """The instructions workload executes under each allocator in counted,
    at a twentieth of inputs' work, as a Table.  Configurations that run
    under valgrind already are left out."""
    valgrind = shutil.which("valgrind")
    if not valgrind:
        raise SystemExit("bench: --callgrind needs valgrind (Debian package valgrind)")
    inputs = workload_registry.Inputs(inputs.binaries.parent, inputs.scratch,
                                      inputs.scale * SCALE)
    counted = [a for a in counted if not a.wrapper]
    results = {a.name: _count(workload, a, inputs, valgrind) for a in counted}
    baseline = results.get(BASELINE, (None,))[0]
    rows = []
    for allocator in counted:
        count, detail = results[allocator.name]
        if count is None:
            rows.append([allocator.name, "FAIL", "-", "-", "-", detail])
            continue
        calls, inside = detail
        rows.append([allocator.name, "{:,}".format(count),
                     "%.2f" % (count / baseline) if baseline else "-",
                     "{:,}".format(calls) if calls else "-",
                     "%.1f" % (inside / calls) if calls else "-", ""])
    return Table("Instructions executed by %s at scale %g (callgrind)"
                 % (workload.name, inputs.scale),
                 ["allocator", "instructions", "vs " + BASELINE, "allocator calls",
                  "instructions per call", "problem"], rows,
                 "Allocator calls are the calls to malloc, free, realloc and the rest of the "
                 "API; instructions per call counts those executed inside them, on average.  "
                 "Counts hardly move from run to run, unlike times, so this shows the cost "
                 "of the fast path's one mode branch where time cannot.")


def compare(workload, allocators_run, inputs):
    print(table(workload, allocators_run, inputs).text(), end="")
