#!/usr/bin/env python3
"""Compare mmkit's allocator with glibc, jemalloc, tcmalloc and mimalloc.

Runs every workload under every allocator (by LD_PRELOAD) in interleaved
rounds - each round runs every pair once, in its own shuffled order, so that
a slow spell of a noisy machine spreads over all allocators instead of
landing on one - and reports medians, ratios to mimalloc and to the best
peer, and the verdict on mmkit's targets.  A complete run also rewrites
docs/BENCHMARKS.md and its charts.
"""

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import allocators as allocator_registry
import benchmarks_doc
import callgrind
import report
import workloads as workload_registry
from summary import Summary

REPO = Path(__file__).resolve().parent.parent
# Not anchored at the start of a line: a child may leave its last line of
# stderr unterminated.
MEASURE_LINE = re.compile(r"measure: wall=(\S+) cpu=(\S+) maxrss_kib=(\d+) status=(-?\d+) "
                          r"signal=(\d+) timeout=([01])$", re.M)
QUICK_SCALE = 0.2


def parse_arguments():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Workloads: " + ", ".join(w.name for w in workload_registry.WORKLOADS))
    parser.add_argument("--build", default="build", metavar="DIR",
                        help="the build directory holding libmmkit.so (default: build)")
    parser.add_argument("--rounds", type=int, default=5, metavar="N",
                        help="interleaved rounds; numbers are medians over them (default: 5)")
    parser.add_argument("--only", metavar="WORKLOAD[,...]", help="run only these workloads")
    parser.add_argument("--allocators", metavar="NAME[,...]",
                        help="run only these allocators (glibc, jemalloc, tcmalloc, "
                             "mimalloc, mmkit)")
    parser.add_argument("--quick", action="store_true",
                        help="one round at a fifth of the work: a smoke test, not a result")
    parser.add_argument("--scale", type=float, default=1.0, metavar="F",
                        help="multiply every workload's work by F (default: 1)")
    parser.add_argument("--timeout", type=int, default=30, metavar="SECONDS",
                        help="kill a run after this long and count it as failed "
                             "(default: 30, some twenty times the slowest peer)")
    parser.add_argument("--json", metavar="FILE", help="also write every run and summary as JSON")
    parser.add_argument("--docs", default=str(REPO / "docs"), metavar="DIR",
                        help="where a complete run writes BENCHMARKS.md and the charts")
    parser.add_argument("--no-docs", action="store_true", help="do not write the report")
    parser.add_argument("--callgrind", metavar="WORKLOAD",
                        help="instead: count instructions of one workload under each "
                             "allocator with valgrind's callgrind (steadier than time)")
    arguments = parser.parse_args()
    if arguments.quick:
        arguments.rounds = 1
        arguments.scale = QUICK_SCALE
    if arguments.rounds < 1 or not arguments.scale > 0:
        parser.error("--rounds must be at least 1 and --scale positive")
    return arguments


def describe_failure(fields, stderr):
    """What went wrong in a run, in words, or None if nothing did; stderr is
    the child's, without the launcher's line."""
    if "from LD_PRELOAD cannot be preloaded" in stderr:
        return "the library could not be preloaded"
    if fields is None:
        return "the launcher failed: " + stderr.strip()[-200:]
    _, _, _, status, signal_number, timed_out = fields
    last_line = next((line for line in reversed(stderr.splitlines()) if line.strip()), "")
    last_line = last_line[:160]
    if timed_out:
        return "timed out"
    if signal_number:
        try:
            name = signal.Signals(signal_number).name
        except ValueError:
            name = "signal %d" % signal_number
        return "killed by %s" % name + (": " + last_line if last_line else "")
    if status != 0:
        return "exit status %d" % status + (": " + last_line if last_line else "")
    return None


def run_once(launcher, inputs, workload, allocator, timeout):
    argv, stdin = inputs.command(workload)
    command = [str(launcher), "-t", str(timeout)]
    if allocator.library:
        command += ["-p", allocator.library]
    command += ["--", *argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(stdin or "/dev/null", "rb") as given:
        subprocess.run(command, stdin=given, stdout=out, stderr=err, check=False)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    match = MEASURE_LINE.search(stderr)
    fields = None
    if match:
        fields = (float(match.group(1)), float(match.group(2)), int(match.group(3)),
                  int(match.group(4)), int(match.group(5)), match.group(6) == "1")
        stderr = stderr[:match.start()]
    error = describe_failure(fields, stderr)
    check = workload_registry.check_of(workload, stdout) if not error else None
    if not error and check is None:
        error = "printed no check"
    return {
        "workload": workload.name, "allocator": allocator.name,
        "wall": fields[0] if fields else None, "cpu": fields[1] if fields else None,
        "maxrss_kib": fields[2] if fields else None,
        "check": check, "live_peak": workload_registry.live_peak_of(stdout),
        "error": error, "command": inputs.reproduce(workload, allocator.library),
    }


def run_rounds(arguments, launcher, inputs, workloads, allocators):
    runs = []
    pairs = [(w, a) for w in workloads for a in allocators]
    total = arguments.rounds * len(pairs)
    show_progress = sys.stderr.isatty()
    # A pair that failed once is not run again: its failure is on record, and
    # a hang would otherwise cost a timeout every round.
    failed = set()
    for round_number in range(1, arguments.rounds + 1):
        order = list(pairs)
        random.Random(round_number).shuffle(order)
        for workload, allocator in order:
            if (workload.name, allocator.name) in failed:
                continue
            if show_progress:
                sys.stderr.write("\r\033[K[%d/%d] round %d: %s under %s"
                                 % (len(runs) + 1, total, round_number, workload.name,
                                    allocator.name))
                sys.stderr.flush()
            run = run_once(launcher, inputs, workload, allocator, arguments.timeout)
            run["round"] = round_number
            runs.append(run)
            if run["error"]:
                failed.add((workload.name, allocator.name))
    if show_progress:
        sys.stderr.write("\r\033[K")
    return runs


def is_complete(arguments):
    """Only a run of everything at full size may stand as the report."""
    return not (arguments.only or arguments.allocators or arguments.quick
                or arguments.scale != 1.0)


def main():
    arguments = parse_arguments()
    workloads = workload_registry.by_names(arguments.callgrind or arguments.only)
    allocators, notes = allocator_registry.discover(arguments.build, arguments.allocators)
    for note in notes:
        print("note: " + note)
    if not allocators:
        raise SystemExit("bench: no allocator to run")
    launcher = workload_registry.build(arguments.build, workloads)

    load = os.getloadavg()
    if load[0] >= (os.cpu_count() or 1) / 2:
        print("note: the machine is busy (load average %.2f on %d cores): wall times will "
              "spread; --callgrind gives steadier numbers" % (load[0], os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="mmkit-bench-") as scratch:
        inputs = workload_registry.Inputs(arguments.build, scratch, arguments.scale)
        if arguments.callgrind:
            callgrind.compare(workloads[0], allocators, inputs)
            return
        runs = run_rounds(arguments, launcher, inputs, workloads, allocators)
    load = (load, os.getloadavg())

    summary = Summary(runs, workloads, allocators)
    for table in report.all_tables(summary, arguments.rounds):
        print()
        print(table.text(), end="")

    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump({"rounds": arguments.rounds, "scale": arguments.scale,
                       "allocators": [vars(a) for a in allocators],
                       "machine": dict(benchmarks_doc.machine()),
                       "summary": summary.as_dict(), "runs": runs}, out, indent=1)
    if arguments.no_docs:
        return
    if is_complete(arguments):
        command = ("make bench" if arguments.rounds == 5 else
                   "python3 bench/run.py --build BUILD --rounds %d" % arguments.rounds)
        benchmarks_doc.write(arguments.docs, summary, allocators, arguments.rounds, command,
                             load)
        print("\nwrote %s/BENCHMARKS.md" % workload_registry.relative(arguments.docs))
    else:
        print("\nreport not written: only a complete run (no --only, --allocators, --quick "
              "or --scale) may replace docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
