#!/usr/bin/env python3
"""What an allocation trace costs a program: python3 and sqlite3 run on
mmkit untraced, traced without stacks, traced with stacks at several
depths, and under heaptrack, side by side in interleaved rounds (each round
runs every configuration once, in a shuffled order, so that a slow spell of
a busy machine spreads over all of them).  Prints the median wall and CPU
time of each and the ratios docs/ALLOC-TRACE.md quotes.

  python3 bench/trace_cost.py [--build DIR] [--rounds N] [--depths 16,32,64]

heaptrack is optional (Debian's package); its configuration is left out
when it is not installed.  The CPU time counts every process of a run:
heaptrack's interpreter runs beside the program.
"""

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlite_script

REPO = Path(__file__).resolve().parent.parent
PYTHON_SCRIPT = REPO / "tests" / "data" / "alloc" / "dicts_lists_strings.py"


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build", metavar="DIR",
                        help="the build directory holding libmmkit.so (default: build)")
    parser.add_argument("--rounds", type=int, default=5, metavar="N",
                        help="interleaved rounds; numbers are medians (default: 5)")
    parser.add_argument("--depths", default="16,32,64", metavar="N[,...]",
                        help="trace_stacks values to measure (default: 16,32,64)")
    parser.add_argument("--sqlite-scale", type=float, default=0.25, metavar="F",
                        help="size of the SQL script: 0.25 is 10000 inserts and queries")
    return parser.parse_args()


def configurations(library, depths, work):
    """(name, environment additions, command prefix) of each configuration."""
    trace = os.path.join(work, "trace.mmat")
    found = [("mmkit", {"LD_PRELOAD": library}, [])]
    found.append(("trace, no stacks",
                  {"LD_PRELOAD": library, "MMKIT_OPTIONS": f"trace={trace},trace_stacks=0"}, []))
    for depth in depths:
        found.append((f"trace, stacks {depth}",
                      {"LD_PRELOAD": library,
                       "MMKIT_OPTIONS": f"trace={trace},trace_stacks={depth}"}, []))
    if shutil.which("heaptrack"):
        found.append(("heaptrack", {}, ["heaptrack", "-o", os.path.join(work, "heaptrack")]))
    return found


def programs(work, scale):
    """(name, argv, stdin path, environment additions) of each program."""
    sql = os.path.join(work, "shop.sql")
    sqlite_script.write(sql, scale)
    # PYTHONMALLOC=malloc: every object from malloc, not from Python's own
    # arenas, so that the trace sees them (heaptrack's advice for Python).
    # It is set in the environment: heaptrack traces only the process it
    # starts, not what that one runs.
    return [("python3", [sys.executable, str(PYTHON_SCRIPT)], None, {"PYTHONMALLOC": "malloc"}),
            ("sqlite3", [shutil.which("sqlite3") or "sqlite3", "-batch", ":memory:"], sql, {})]


def run_once(argv, stdin_path, extra_env, prefix):
    env = {k: v for k, v in os.environ.items()
           if k not in ("LD_PRELOAD", "MMKIT_OPTIONS", "PYTHONMALLOC")}
    env.update(extra_env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(stdin_path or os.devnull, "rb") as stdin:
        done = subprocess.run(prefix + argv, stdin=stdin, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"{' '.join(prefix + argv)} failed with status {done.returncode}")
    return wall, cpu


def main():
    args = parse_arguments()
    library = str(Path(args.build).resolve() / "libmmkit.so")
    if not os.path.exists(library):
        sys.exit(f"no {library}: build first (make)")
    depths = [int(d) for d in args.depths.split(",") if d]
    with tempfile.TemporaryDirectory() as work:
        configs = configurations(library, depths, work)
        progs = programs(work, args.sqlite_scale)
        times = {(p[0], c[0]): [] for p in progs for c in configs}
        rng = random.Random(1)
        for round_ in range(args.rounds):
            pairs = [(p, c) for p in progs for c in configs]
            rng.shuffle(pairs)
            for (name, argv, stdin, program_env), (config, env, prefix) in pairs:
                times[(name, config)].append(run_once(argv, stdin, {**program_env, **env},
                                                      prefix))
            print(f"round {round_ + 1} of {args.rounds} done", file=sys.stderr)
        for name, _, _, _ in progs:
            print(f"\n{name}: median of {args.rounds} rounds")
            print(f"  {'configuration':<20} {'wall s':>8} {'cpu s':>8}   ratios to no stacks: "
                  f"wall   cpu")
            medians = {config: (statistics.median(w for w, _ in times[(name, config)]),
                                statistics.median(c for _, c in times[(name, config)]))
                       for config, _, _ in configs}
            base = medians["trace, no stacks"]
            for config, _, _ in configs:
                wall, cpu = medians[config]
                print(f"  {config:<20} {wall:8.3f} {cpu:8.3f} {wall / base[0]:27.2f}x "
                      f"{cpu / base[1]:5.2f}x")
            deepest = f"trace, stacks {max(depths)}" if depths else None
            if "heaptrack" in medians and deepest:
                wall, cpu = medians["heaptrack"]
                print(f"  heaptrack / {deepest}: wall {wall / medians[deepest][0]:.2f}x, "
                      f"cpu {cpu / medians[deepest][1]:.2f}x")


if __name__ == "__main__":
    main()
