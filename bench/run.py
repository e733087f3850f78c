#!/usr/bin/env python3
"""Compare mmkit's allocator with glibc, jemalloc, tcmalloc and mimalloc.

Runs every workload under every allocator (by LD_PRELOAD) in interleaved
rounds - each round runs every pair once, in its own shuffled order, so that
a slow spell of a noisy machine spreads over all allocators instead of
landing on one - and reports medians, ratios to mimalloc and to the best
peer, and the verdict on mmkit's targets.  In the same rounds it measures
what checking costs: mmkit's hardened, sample and debug modes, glibc's
MALLOC_CHECK_=3 and valgrind's memcheck, each relative to mmkit's fast mode
(see modes.py).  With --before, another build of mmkit runs beside this
one in the same rounds, for the ratio of this build's times to its.  A
complete run also rewrites docs/BENCHMARKS.md and its charts.
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
import modes as checking_modes
import report
import workloads as workload_registry
from summary import Summary

REPO = Path(__file__).resolve().parent.parent
# Not anchored at the start of a line: a child may leave its last line of
# stderr unterminated.
MEASURE_LINE = re.compile(r"measure: wall=(\S+) cpu=(\S+) maxrss_kib=(\d+) status=(-?\d+) "
                          r"signal=(\d+) timeout=([01])$", re.M)
QUICK_SCALE = 0.2
# The workload whose instructions per call the checking-modes section counts.
CALLGRIND_WORKLOAD = "churn_small"


def parse_arguments():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Workloads: " + ", ".join(w.name for w in workload_registry.WORKLOADS) +
        "\n\nChecking configurations (each measured against mmkit's fast mode):\n"
        "  mmkit-hardened  MMKIT_OPTIONS=mode=hardened, on half the work in 3x the rounds\n"
        "  mmkit-sample    MMKIT_OPTIONS=mode=sample, on half the work in 3x the rounds\n"
        "  mmkit-debug     MMKIT_OPTIONS=mode=debug,leaks=0 (no leak report at exit), "
        "on a fifth of the work\n"
        "  glibc-check     glibc with MALLOC_CHECK_=3 (and libc_malloc_debug.so preloaded)\n"
        "  valgrind        glibc under valgrind --tool=memcheck -q --leak-check=no\n"
        "  valgrind-mmkit  mmkit (fast mode) under the same memcheck\n"
        "The valgrind ones run on a tenth of the work, on churn_small and sqlite3 only,\n"
        "for at most 3 rounds.  MMKIT_OPTIONS, MALLOC_CHECK_ and MALLOC_PERTURB_ are\n"
        "taken out of the environment: each configuration sets its own.")
    parser.add_argument("--build", default="build", metavar="DIR",
                        help="the build directory holding libmmkit.so (default: build)")
    parser.add_argument("--rounds", type=int, default=5, metavar="N",
                        help="interleaved rounds; numbers are medians over them (default: 5)")
    parser.add_argument("--only", metavar="WORKLOAD[,...]", help="run only these workloads")
    parser.add_argument("--allocators", metavar="NAME[,...]",
                        help="run only these allocators (glibc, jemalloc, tcmalloc, "
                             "mimalloc, mmkit) and checking configurations (listed below)")
    parser.add_argument("--modes", action="store_true",
                        help="run only the checking-modes section: mmkit's fast mode against "
                             "every checking configuration, without the peers")
    parser.add_argument("--no-modes", action="store_true",
                        help="leave out the checking-modes section (about 5 minutes of a "
                             "default run)")
    parser.add_argument("--no-valgrind", action="store_true",
                        help="leave valgrind out of the checking-modes section (about 1 "
                             "minute of a default run, and the instruction counts)")
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
                             "allocator with valgrind's callgrind (steadier than time), "
                             "with the calls to malloc, free, ... and instructions per call")
    parser.add_argument("--before", metavar="LIBRARY",
                        help="also time this other build of libmmkit.so (say, from before a "
                             "change) as mmkit-before, and as mmkit-before-hardened in the "
                             "checking-modes section, for the ratio of this build's times "
                             "to its; counts its instructions too where valgrind runs")
    parser.add_argument("--callgrind-before", metavar="LIBRARY",
                        help="also count instructions under this other build of libmmkit.so "
                             "(say, from before a change to the fast path), as mmkit-before")
    arguments = parser.parse_args()
    if arguments.before and arguments.callgrind_before:
        parser.error("--before counts its library's instructions already: give it or "
                     "--callgrind-before")
    if arguments.modes and (arguments.no_modes or arguments.allocators):
        parser.error("--modes goes with neither --no-modes nor --allocators")
    if arguments.modes:
        arguments.allocators = ",".join(
            [allocator_registry.TARGET] +
            [n for n in allocator_registry.CHECKING_NAMES
             if not (arguments.no_valgrind and n.startswith("valgrind"))])
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
    command += ["--", *allocator.wrapper, *argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(stdin or "/dev/null", "rb") as given:
        subprocess.run(command, stdin=given, stdout=out, stderr=err, check=False,
                       env=allocator_registry.environment(allocator))
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
        "workload": workload.name, "allocator": allocator.name, "scale": inputs.scale,
        "wall": fields[0] if fields else None, "cpu": fields[1] if fields else None,
        "maxrss_kib": fields[2] if fields else None,
        "check": check, "live_peak": workload_registry.live_peak_of(stdout),
        "error": error, "command": inputs.reproduce(workload, allocator),
    }


def run_rounds(arguments, launcher, inputs, pairs):
    """inputs: scale -> Inputs; pairs: modes.Pair, each run once in each of
    its rounds."""
    runs = []
    total = sum(p.rounds for p in pairs)
    show_progress = sys.stderr.isatty()
    # A pair that failed once is not run again: its failure is on record, and
    # a hang would otherwise cost a timeout every round.
    failed = set()
    for round_number in range(1, max(p.rounds for p in pairs) + 1):
        order = [p for p in pairs if p.rounds >= round_number]
        random.Random(round_number).shuffle(order)
        for pair in order:
            key = (pair.workload.name, pair.allocator.name, pair.scale)
            if key in failed:
                total -= 1
                continue
            if show_progress:
                sys.stderr.write("\r\033[K[%d/%d] round %d: %s under %s"
                                 % (len(runs) + 1, total, round_number, pair.workload.name,
                                    pair.allocator.name))
                sys.stderr.flush()
            run = run_once(launcher, inputs[pair.scale], pair.workload, pair.allocator,
                           arguments.timeout)
            run["round"] = round_number
            runs.append(run)
            if run["error"]:
                failed.add(key)
    if show_progress:
        sys.stderr.write("\r\033[K")
    return runs


def is_complete(arguments):
    """Only a run of everything at full size may stand as the report."""
    return not (arguments.only or arguments.allocators or arguments.quick
                or arguments.scale != 1.0 or arguments.no_modes or arguments.no_valgrind)


def reference_mmkit(arguments, allocators):
    """mmkit in fast mode, what the checking configurations are measured
    against, or None if mmkit is not built."""
    found = [a for a in allocators if a.name == allocator_registry.TARGET]
    if not found and any(a.checking for a in allocators):
        found, _ = allocator_registry.discover(arguments.build, allocator_registry.TARGET)
    return found[0] if found else None


def instruction_counts(arguments, allocators, reference, inputs):
    """The callgrind table of the checking-modes section, or None."""
    checking = [a for a in allocators if a.checking]
    if not checking or arguments.no_valgrind or not reference or arguments.only and \
            CALLGRIND_WORKLOAD not in arguments.only.split(","):
        return None
    counted = allocator_registry.discover(arguments.build, allocator_registry.BASELINE)[0]
    counted += [reference] + [a for a in allocators if a.name.startswith("mmkit-")]
    if arguments.callgrind_before:
        counted.append(callgrind.before(arguments.callgrind_before))
    print("counting instructions with callgrind ...", file=sys.stderr)
    return callgrind.table(workload_registry.by_names(CALLGRIND_WORKLOAD)[0], counted, inputs)


def main():
    arguments = parse_arguments()
    workloads = workload_registry.by_names(arguments.callgrind or arguments.only)
    allocators, notes = allocator_registry.discover(
        arguments.build, arguments.allocators, checking=not arguments.no_modes,
        valgrind=not arguments.no_valgrind)
    for note in notes:
        print("note: " + note)
    if arguments.before:
        allocators += allocator_registry.before(arguments.before, allocators)
    if not allocators:
        raise SystemExit("bench: no allocator to run")
    for name in allocator_registry.CONTROLLED_ENVIRONMENT:
        if name in os.environ:
            print("note: %s is taken out of the environment of every run" % name)
    launcher = workload_registry.build(arguments.build, workloads)
    plain = [a for a in allocators if not a.checking]
    checking = [a for a in allocators if a.checking]
    reference = reference_mmkit(arguments, allocators)
    if checking and reference is None:
        print("note: the checking configurations skipped: they are measured against mmkit, "
              "which is not built")
        allocators, checking = plain, []

    load = os.getloadavg()
    if load[0] >= (os.cpu_count() or 1) / 2:
        print("note: the machine is busy (load average %.2f on %d cores): wall times will "
              "spread; --callgrind gives steadier numbers" % (load[0], os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="mmkit-bench-") as scratch:
        if arguments.callgrind:
            inputs = workload_registry.Inputs(arguments.build, scratch, arguments.scale)
            if arguments.callgrind_before:
                allocators.append(callgrind.before(arguments.callgrind_before))
            callgrind.compare(workloads[0], allocators, inputs)
            return
        pairs = checking_modes.plan(workloads, allocators, reference, arguments.rounds,
                                    arguments.scale)
        inputs = {}
        for scale in sorted({p.scale for p in pairs}):
            directory = Path(scratch) / ("scale-%g" % scale)
            directory.mkdir()
            inputs[scale] = workload_registry.Inputs(arguments.build, directory, scale)
        runs = run_rounds(arguments, launcher, inputs, pairs)
        counts = instruction_counts(arguments, allocators, reference,
                                    workload_registry.Inputs(arguments.build, scratch,
                                                             arguments.scale))
    load = (load, os.getloadavg())

    plain_names = {a.name for a in plain}
    summary = Summary([r for r in runs if r["allocator"] in plain_names
                       and r["scale"] == arguments.scale], workloads, plain)
    # Under --modes, the only plain allocator is fast mode, shown as the reference.
    tables = report.all_tables(summary, arguments.rounds) if plain and not arguments.modes \
        else []
    modes = None
    if checking:
        modes = checking_modes.Modes(runs, workloads, checking, reference, arguments.scale,
                                     arguments.rounds, summary if plain else None)
        tables += modes.tables()
    if counts:
        tables.append(counts)
    before = report.before_table(summary, modes)
    if before:
        tables.append(before)
    for table in tables:
        print()
        print(table.text(), end="")

    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as out:
            json.dump({"rounds": arguments.rounds, "scale": arguments.scale,
                       "allocators": [vars(a) for a in allocators],
                       "machine": dict(benchmarks_doc.machine()),
                       "summary": summary.as_dict(),
                       "modes": modes.as_dict() if modes else None,
                       "runs": runs}, out, indent=1)
    if arguments.no_docs:
        return
    if is_complete(arguments):
        command = ("make bench" if arguments.rounds == 5 and not arguments.before else
                   "python3 bench/run.py --build BUILD --rounds %d" % arguments.rounds +
                   (" --before OTHER-BUILD/libmmkit.so" if arguments.before else ""))
        modes_tables = (modes.tables() if modes else []) + ([counts] if counts else [])
        benchmarks_doc.write(arguments.docs, summary, plain, arguments.rounds, command,
                             load, modes_tables, modes.checking if modes else [],
                             [before] if before else [])
        print("\nwrote %s/BENCHMARKS.md" % workload_registry.relative(arguments.docs))
    else:
        print("\nreport not written: only a complete run (no --only, --allocators, --modes, "
              "--no-modes, --no-valgrind, --quick or --scale) may replace docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
