#!/usr/bin/env python3
"""How fast `mmkit freespace --trace` replays real programs' allocations,
and how much memory each policy wastes on them: python3 and sqlite3 are
recorded with `mmkit trace --alloc`, and clang++ (a C++ program) compiling
bench/word_index.cpp, then every policy replays each trace.
Prints, per trace, the operations per second of each policy (CPU time of
the replay alone, the reading of the trace taken off, the best of --rounds
runs), the fragmentation table, and peak footprint / peak live bytes with
requests not rounded (--align 1), the comparison of Johnstone and Wilson
(ISMM 1998) that docs/FREESPACE.md quotes.

  python3 bench/freespace_replay.py [--build DIR] [--rounds N] [--sqlite-scale F]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlite_script

REPO = Path(__file__).resolve().parent.parent
PYTHON_SCRIPT = REPO / "tests" / "data" / "alloc" / "dicts_lists_strings.py"
CXX_SOURCE = REPO / "bench" / "word_index.cpp"
POLICIES = "best,first,next,worst,segregated,tlsf,buddy,slab,mmkit"
TARGETS = {"first": 10, "best": 10, "next": 10}  # M ops/s, issue 12; 20 for the families


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", default="build", metavar="DIR",
                        help="the build directory holding mmkit (default: build)")
    parser.add_argument("--rounds", type=int, default=1, metavar="N",
                        help="replays of each trace; the fastest counts (default: 1)")
    parser.add_argument("--sqlite-scale", type=float, default=0.5, metavar="F",
                        help="size of the SQL script (default: 0.5, 20000 inserts)")
    parser.add_argument("--keep", metavar="DIR",
                        help="record the traces into DIR and keep them")
    return parser.parse_args()


def record(mmkit, work, scale):
    """(name, trace path) of each program recorded."""
    traces = []
    # PYTHONMALLOC=malloc: every object from malloc, not from Python's own
    # arenas, so that the trace sees them.
    env = dict(os.environ, PYTHONMALLOC="malloc")
    python = os.path.join(work, "python3.mmat")
    subprocess.run([mmkit, "trace", "--alloc", "-o", python, "--", sys.executable,
                    str(PYTHON_SCRIPT)], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    traces.append(("python3", python))
    if shutil.which("sqlite3"):
        sql = os.path.join(work, "shop.sql")
        sqlite_script.write(sql, scale)
        sqlite = os.path.join(work, "sqlite3.mmat")
        with open(sql, "rb") as stdin:
            subprocess.run([mmkit, "trace", "--alloc", "-o", sqlite, "--", "sqlite3", "-batch",
                            ":memory:"], stdin=stdin, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        traces.append(("sqlite3", sqlite))
    else:
        print("sqlite3 is not installed: its trace is left out", file=sys.stderr)
    if shutil.which("clang++"):
        # clang runs its compiler in the same process (no exec), so the
        # trace holds the compilation itself.
        clang = os.path.join(work, "clang++.mmat")
        subprocess.run([mmkit, "trace", "--alloc", "-o", clang, "--", "clang++", "-O2", "-c",
                        str(CXX_SOURCE), "-o", os.path.join(work, "word_index.o")], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        traces.append(("clang++", clang))
    else:
        print("clang++ is not installed: its trace is left out", file=sys.stderr)
    return traces


def replay(mmkit, trace):
    """The table --compare prints, and {policy: M ops/s} from --timing."""
    done = subprocess.run([mmkit, "freespace", "--trace", trace, "--compare", POLICIES,
                           "--timing"], check=True, capture_output=True, text=True)
    speeds = {m.group(1): float(m.group(2))
              for m in re.finditer(r"^(\w+): \d+ operations replayed in [\d.]+ s: ([\d.]+) M/s$",
                                   done.stderr, re.M)}
    return done.stdout, speeds


def policy_waste(mmkit, trace):
    """Peak footprint / peak live of each policy, requests not rounded."""
    done = subprocess.run([mmkit, "freespace", "--trace", trace, "--compare", POLICIES,
                           "--align", "1", "--json"], check=True, capture_output=True, text=True)
    print(f"{'policy':<11} {'peak live':>11} {'footprint':>11} {'ratio':>6} {'waste':>7}"
          "   (--align 1)")
    for row in json.loads(done.stdout)["policies"]:
        t = row["totals"]
        print(f"{row['policy']:<11} {t['peak_live_bytes']:>11} {t['peak_footprint']:>11} "
              f"{t['fragmentation']:>6.3f} {100 * (t['fragmentation'] - 1):>6.1f}%")


def main():
    args = parse_arguments()
    mmkit = str(Path(args.build).resolve() / "mmkit")
    with tempfile.TemporaryDirectory() as temporary:
        work = args.keep or temporary
        os.makedirs(work, exist_ok=True)
        for name, trace in record(mmkit, work, args.sqlite_scale):
            best = {}
            for _ in range(args.rounds):
                table, speeds = replay(mmkit, trace)
                for policy, speed in speeds.items():
                    best[policy] = max(best.get(policy, 0.0), speed)
            print(f"== {name}: {os.path.getsize(trace)} bytes of trace")
            print(table)
            print(f"{'policy':<11} {'M ops/s':>8} {'target':>7}")
            for policy, speed in best.items():
                target = TARGETS.get(policy, 20) if policy not in ("worst",) else None
                print(f"{policy:<11} {speed:>8.1f} {target if target else '-':>7}")
            print()
            policy_waste(mmkit, trace)
            print()


if __name__ == "__main__":
    main()
