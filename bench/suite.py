#!/usr/bin/env python3
"""The mimalloc-bench programs against the peers: `make bench-suite
MIMALLOC_BENCH=DIR`, DIR a checkout of https://github.com/daanx/mimalloc-bench
(never part of this repository).  The programs that build offline are
compiled from DIR/bench into BUILD/bench-suite, then run in interleaved
rounds (every test under every allocator, in a new order each round) under
glibc, jemalloc, tcmalloc, mimalloc, mmkit and mmkit in hardened mode, on
2 threads where a test takes a count.  The report, docs/BENCHMARKS-SUITE.md
and docs/bench-suite.svg, gives each test's median time and peak RSS as
ratios to mimalloc, their geometric means, and each test's ratio of mmkit
to its best peer.

  python3 bench/suite.py --mimalloc-bench DIR [--build DIR] [--rounds N]
                         [--only TEST,...] [--no-docs]
"""

import argparse
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import allocators as allocator_registry
import svg_chart
import workloads as workload_registry

REPO = Path(__file__).resolve().parent.parent
THREADS = "2"
BASELINE = "mimalloc"
MEASURE_LINE = re.compile(r"measure: wall=(\S+) cpu=(\S+) maxrss_kib=(\d+) status=(-?\d+) "
                          r"signal=(\d+) timeout=([01])$", re.M)

# name: (C++?, sources under DIR/bench, compile flags, link flags), as the
# suite's own CMakeLists.txt builds them (warnings off: not our code).
CFRAC = ["cfrac.c", "pops.c", "pconst.c", "pio.c", "pabs.c", "pneg.c", "pcmp.c", "podd.c",
         "phalf.c", "padd.c", "psub.c", "pmul.c", "pdivmod.c", "psqrt.c", "ppowmod.c", "atop.c",
         "ptoa.c", "itop.c", "utop.c", "ptou.c", "errorp.c", "pfloat.c", "pidiv.c", "pimod.c",
         "picmp.c", "primes.c", "pcfrac.c", "pgcd.c"]
ESPRESSO = ["cofactor.c", "cols.c", "compl.c", "contain.c", "cubestr.c", "cvrin.c", "cvrm.c",
            "cvrmisc.c", "cvrout.c", "dominate.c", "equiv.c", "espresso.c", "essen.c", "exact.c",
            "expand.c", "gasp.c", "getopt.c", "gimpel.c", "globals.c", "hack.c", "indep.c",
            "irred.c", "main.c", "map.c", "matrix.c", "mincov.c", "opo.c", "pair.c", "part.c",
            "primes.c", "reduce.c", "rows.c", "set.c", "setc.c", "sharp.c", "sminterf.c",
            "solution.c", "sparse.c", "unate.c", "utility.c", "verify.c"]
BARNES = ["code.c", "code_io.c", "load.c", "grav.c", "getparam.c", "util.c"]
OLD_C = ["-std=gnu89"]
PROGRAMS = {
    "cfrac": (False, ["cfrac/" + s for s in CFRAC], OLD_C + ["-DNOMEMOPT=1"], ["-lm"]),
    "espresso": (False, ["espresso/" + s for s in ESPRESSO], OLD_C, ["-lm"]),
    "barnes": (False, ["barnes/" + s for s in BARNES], OLD_C, ["-lm"]),
    "larson": (True, ["larson/larson.cpp"], ["-DCPP=1"], ["-lpthread"]),
    "larson-sized": (True, ["larson/larson.cpp"], ["-DCPP=1", "-DSIZED=1",
                                                   "-fsized-deallocation"], ["-lpthread"]),
    "alloc-test": (True, ["alloc-test/test_common.cpp", "alloc-test/allocator_tester.cpp"],
                   ["-DBENCH=4"], ["-lpthread"]),
    "cache-scratch": (True, ["cache-scratch/cache-scratch.cpp"], [], ["-lpthread"]),
    "cache-thrash": (True, ["cache-thrash/cache-thrash.cpp"], [], ["-lpthread"]),
    "xmalloc-test": (False, ["xmalloc-test/xmalloc-test.c"], [], ["-lpthread"]),
    "malloc-large": (True, ["malloc-large/malloc-large.cpp"], [], ["-lpthread"]),
    "mstress": (False, ["mstress/mstress.c"], [], ["-lpthread"]),
    "mleak": (False, ["mleak/mleak.c"], [], ["-lpthread"]),
    "rptest": (False, ["rptest/rptest.c", "rptest/thread.c", "rptest/timer.c"], ["-Irptest"],
               ["-lpthread", "-lm"]),
    "glibc-simple": (False, ["glibc-bench/bench-malloc-simple.c"], [], ["-lpthread"]),
    "glibc-thread": (False, ["glibc-bench/bench-malloc-thread.c"], [], ["-lpthread"]),
}

# test: (program, arguments, stdin under DIR/bench or None, how its time is
# read: "wall", or a pattern of its output and the work it stands for, so
# that a test that runs for a fixed time gives a time per unit of work, as
# the suite's own bench.sh reads them).
TESTS = {
    "cfrac": ("cfrac", ["17545186520507317056371138836327483792789528"], None, "wall"),
    "espresso": ("espresso", ["{bench}/espresso/largest.espresso"], None, "wall"),
    "barnes": ("barnes", [], "barnes/input", "wall"),
    "larsonN": ("larson", ["5", "8", "1000", "5000", "100", "4141", THREADS], None,
                (r"time: ([0-9.]+)", None)),
    "larsonN-sized": ("larson-sized", ["5", "8", "1000", "5000", "100", "4141", THREADS], None,
                      (r"time: ([0-9.]+)", None)),
    "mstressN": ("mstress", [THREADS, "50", "25"], None, "wall"),
    "rptestN": ("rptest", [THREADS, "0", "1", "2", "500", "1000", "100", "8", "16000"], None,
                (r"\.\.\.([0-9]+) memory ops", 2e6)),
    "alloc-test1": ("alloc-test", ["1"], None, "wall"),
    "alloc-testN": ("alloc-test", [THREADS], None, "wall"),
    "xmalloc-testN": ("xmalloc-test", ["-w", THREADS, "-t", "5", "-s", "64"], None,
                      (r"rtime: ([0-9.]+)", None)),
    "cache-thrash1": ("cache-thrash", ["1", "1000", "1", "2000000", THREADS], None, "wall"),
    "cache-thrashN": ("cache-thrash", [THREADS, "1000", "1", "2000000", THREADS], None, "wall"),
    "cache-scratch1": ("cache-scratch", ["1", "1000", "1", "2000000", THREADS], None, "wall"),
    "cache-scratchN": ("cache-scratch", [THREADS, "1000", "1", "2000000", THREADS], None,
                       "wall"),
    "malloc-large": ("malloc-large", [], None, "wall"),
    "mleak10": ("mleak", ["5"], None, "wall"),
    "mleak100": ("mleak", ["50"], None, "wall"),
    "glibc-simple": ("glibc-simple", [], None, "wall"),
    "glibc-thread": ("glibc-thread", [THREADS], None, (r"^([0-9.]+)", 1e9)),
}
ALLOCATORS = "glibc,jemalloc,tcmalloc,mimalloc,mmkit,mmkit-hardened"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mimalloc-bench", metavar="DIR",
                        default=os.environ.get("MIMALLOC_BENCH"),
                        help="a checkout of mimalloc-bench (default: $MIMALLOC_BENCH)")
    parser.add_argument("--build", default="build", metavar="DIR",
                        help="the build directory holding libmmkit.so (default: build)")
    parser.add_argument("--rounds", type=int, default=5, metavar="N",
                        help="interleaved rounds; numbers are medians (default: 5)")
    parser.add_argument("--only", metavar="TEST[,...]", help="run only these tests")
    parser.add_argument("--timeout", type=int, default=120, metavar="SECONDS",
                        help="kill a run after this long and count it as failed")
    parser.add_argument("--no-docs", action="store_true",
                        help="print the tables only; do not write docs/BENCHMARKS-SUITE.md")
    arguments = parser.parse_args()
    if not arguments.mimalloc_bench or not (Path(arguments.mimalloc_bench) / "bench").is_dir():
        parser.error("give a checkout of mimalloc-bench: git clone "
                     "https://github.com/daanx/mimalloc-bench DIR, then make bench-suite "
                     "MIMALLOC_BENCH=DIR")
    unknown = [t for t in (arguments.only or "").split(",") if t and t not in TESTS]
    if unknown:
        parser.error("unknown test %s (the tests: %s)" % (", ".join(unknown), ", ".join(TESTS)))
    if arguments.rounds < 1:
        parser.error("--rounds must be at least 1")
    return arguments


def compile_programs(bench, out, names):
    """Each program the tests need, into out; its path by name."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name in sorted(names):
        cplusplus, sources, flags, libraries = PROGRAMS[name]
        binary = out / name
        paths[name] = binary
        newest = max((bench / s).stat().st_mtime for s in sources)
        if binary.exists() and binary.stat().st_mtime >= newest:
            continue
        compiler = "c++" if cplusplus else "cc"
        command = [compiler, "-O2", "-w", *flags, *[str(bench / s) for s in sources], "-o",
                   str(binary), *libraries]
        done = subprocess.run(command, capture_output=True, text=True, cwd=bench)
        if done.returncode != 0:
            raise SystemExit("bench-suite: cannot build %s:\n%s" % (name, done.stderr[-2000:]))
    return paths


def run_once(launcher, bench, program, test, allocator, timeout):
    """(seconds, peak RSS in KiB) of one run, or an error as a string."""
    _, arguments, stdin, timing = TESTS[test]
    argv = [str(program)] + [a.format(bench=bench) for a in arguments]
    command = [str(launcher), "-t", str(timeout)]
    if allocator.library:
        command += ["-p", allocator.library]
    command += ["--", *argv]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            open(bench / stdin if stdin else os.devnull, "rb") as given:
        subprocess.run(command, stdin=given, stdout=out, stderr=err, check=False,
                       cwd=program.parent, env=allocator_registry.environment(allocator))
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
    match = MEASURE_LINE.search(stderr)
    if not match:
        return "the launcher failed: " + stderr.strip()[-200:]
    wall, status, signal_number, timed_out = (float(match.group(1)), int(match.group(4)),
                                              int(match.group(5)), match.group(6) == "1")
    if timed_out or signal_number or status:
        return "timed out" if timed_out else "signal %d" % signal_number if signal_number \
            else "exit status %d" % status
    if timing == "wall":
        return wall, int(match.group(3))
    pattern, work = timing
    found = re.search(pattern, stdout + stderr[:match.start()], re.M)
    if not found or float(found.group(1)) <= 0:
        return "printed no %s" % pattern
    value = float(found.group(1))
    return (work / value if work else value), int(match.group(3))


def run_rounds(arguments, launcher, bench, programs, tests, allocators):
    """{(test, allocator): [(seconds, kib) or error, ...]}."""
    results = {}
    pairs = [(t, a) for t in tests for a in allocators]
    total = len(pairs) * arguments.rounds
    show = sys.stderr.isatty()
    done = 0
    for round_number in range(1, arguments.rounds + 1):
        order = list(pairs)
        random.Random(round_number).shuffle(order)
        for test, allocator in order:
            done += 1
            if show:
                sys.stderr.write("\r\033[K[%d/%d] round %d: %s under %s"
                                 % (done, total, round_number, test, allocator.name))
                sys.stderr.flush()
            runs = results.setdefault((test, allocator.name), [])
            if runs and isinstance(runs[-1], str):
                continue  # failed once: on record, and not run again
            runs.append(run_once(launcher, bench, programs[TESTS[test][0]], test, allocator,
                                 arguments.timeout))
    if show:
        sys.stderr.write("\r\033[K")
    return results


def medians(results):
    """{(test, allocator): (seconds, kib)}, or the error of a failed pair."""
    out = {}
    for key, runs in results.items():
        errors = [r for r in runs if isinstance(r, str)]
        out[key] = errors[0] if errors else (statistics.median(r[0] for r in runs),
                                             statistics.median(r[1] for r in runs))
    return out


def geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def ratio_rows(table, tests, names, index):
    """{test: {allocator: ratio to the baseline or None}} of time (0) or RSS (1)."""
    rows = {}
    for test in tests:
        base = table.get((test, BASELINE))
        rows[test] = {}
        for name in names:
            cell = table.get((test, name))
            ok = not isinstance(cell, str) and not isinstance(base, str) and cell and base
            rows[test][name] = cell[index] / base[index] if ok and base[index] else None
    return rows


def markdown(tests, names, rows_time, rows_rss, arguments):
    lines = ["# The mimalloc-bench suite", "",
             "Generated by `make bench-suite MIMALLOC_BENCH=DIR` (bench/suite.py); do not edit "
             "by hand.  %d interleaved rounds, %s threads where a test takes a count; each "
             "number is the median of its rounds, as a ratio to %s (lower is better).  larson, "
             "rptest, xmalloc-test and glibc-thread run for a fixed time: their time is the "
             "time per unit of work they report, as the suite's own bench.sh reads it."
             % (arguments.rounds, THREADS, BASELINE), "",
             "![time and RSS against mimalloc](bench-suite.svg)", ""]
    for title, rows in (("Time", rows_time), ("Peak RSS", rows_rss)):
        lines += ["## %s, as a ratio to %s" % (title, BASELINE), "",
                  "| test | " + " | ".join(names) + " | mmkit / best peer |",
                  "| --- |" + " ---: |" * (len(names) + 1)]
        for test in tests:
            row = rows[test]
            peers = [row[n] for n in names if n not in ("mmkit", "mmkit-hardened") and row[n]]
            best = min(peers) if peers else None
            vs_best = "%.2f" % (row["mmkit"] / best) if best and row.get("mmkit") else "-"
            lines.append("| %s | " % test + " | ".join(
                "%.2f" % row[n] if row[n] else "fail" for n in names) + " | %s |" % vs_best)
        lines.append("| geometric mean | " + " | ".join(
            "%.2f" % g if (g := geomean([rows[t][n] for t in tests])) else "-"
            for n in names) + " | |")
        lines.append("")
    return "\n".join(lines)


def main():
    arguments = parse_arguments()
    bench = Path(arguments.mimalloc_bench).resolve() / "bench"
    tests = [t for t in TESTS if not arguments.only or t in arguments.only.split(",")]
    programs = compile_programs(bench, Path(arguments.build).resolve() / "bench-suite",
                                {TESTS[t][0] for t in tests})
    launcher = workload_registry.build(arguments.build, []).resolve()
    allocators, notes = allocator_registry.discover(arguments.build, ALLOCATORS)
    for note in notes:
        print("bench-suite: " + note, file=sys.stderr)
    names = [a.name for a in allocators]
    if BASELINE not in names:
        raise SystemExit("bench-suite: %s is the baseline and is not installed" % BASELINE)
    table = medians(run_rounds(arguments, launcher, bench, programs, tests, allocators))
    text = markdown(tests, names, ratio_rows(table, tests, names, 0),
                    ratio_rows(table, tests, names, 1), arguments)
    print(text)
    if arguments.no_docs:
        return
    (REPO / "docs" / "BENCHMARKS-SUITE.md").write_text(text + "\n")
    groups = [(t, ratio_rows(table, tests, names, 0)[t]) for t in tests]
    (REPO / "docs" / "bench-suite.svg").write_text(svg_chart.bar_chart(
        "mimalloc-bench: time against %s" % BASELINE,
        "median of %d rounds, %s threads; shorter is faster" % (arguments.rounds, THREADS),
        groups, names))


if __name__ == "__main__":
    main()
