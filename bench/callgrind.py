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

import workloads as workload_registry
from allocators import BASELINE
from report import Table

SCALE = 0.05
TIMEOUT = 600
COLLECTED = re.compile(r"Collected : (\d+)")


def _count(workload, allocator, inputs, valgrind):
    """(instructions or None, what went wrong or None)."""
    argv, stdin = inputs.command(workload)
    environment = dict(os.environ)
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
    return int(collected.group(1)), None


def compare(workload, allocators, inputs):
    valgrind = shutil.which("valgrind")
    if not valgrind:
        raise SystemExit("bench: --callgrind needs valgrind (Debian package valgrind)")
    inputs = workload_registry.Inputs(inputs.binaries.parent, inputs.scratch,
                                      inputs.scale * SCALE)
    counts = {}
    errors = {}
    for allocator in allocators:
        counts[allocator.name], errors[allocator.name] = _count(workload, allocator, inputs,
                                                               valgrind)
    baseline = counts.get(BASELINE)
    rows = []
    for allocator in allocators:
        count = counts[allocator.name]
        relative = "%.2f" % (count / baseline) if count and baseline else "-"
        rows.append([allocator.name, "{:,}".format(count) if count else "FAIL", relative,
                     errors[allocator.name] or ""])
    print(Table("Instructions executed by %s at scale %g (callgrind)"
                % (workload.name, inputs.scale),
                ["allocator", "instructions", "vs " + BASELINE, "problem"], rows).text(), end="")
