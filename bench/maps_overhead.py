#!/usr/bin/env python3
"""What sampling a program costs it: `mmkit maps --every 100ms -- prog`.

A CPU-bound program (a loop of arithmetic, in Python) times its own loop
and prints the seconds; each round runs it once plain and once sampled, in
a shuffled order, so that a slow spell of a noisy machine falls on both.
Reports the median of the rounds' ratios (sampled / plain).

    python3 bench/maps_overhead.py --build build [--rounds 9] [--every 100ms]
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile

PROGRAM = """
import time
start = time.perf_counter()
total = 0
for i in range(ITERATIONS):
    total += i * i % 7
print(time.perf_counter() - start)
"""


def loop_seconds(command):
    run = subprocess.run(command, capture_output=True, text=True, check=True)
    return float(run.stdout.strip().splitlines()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default="build")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--every", default="100ms")
    parser.add_argument("--iterations", type=int, default=20_000_000)
    args = parser.parse_args()
    mmkit = os.path.join(args.build, "mmkit")
    plain = [sys.executable, "-c", PROGRAM.replace("ITERATIONS", str(args.iterations))]
    with tempfile.TemporaryDirectory() as work:
        report = os.path.join(work, "report.txt")
        # The report goes to a file: the program's own output is its time.
        sampled = [mmkit, "maps", "--every", args.every, "-o", report, "--"] + plain
        ratios, times = [], {"plain": [], "sampled": []}
        for _ in range(args.rounds):
            order = [("plain", plain), ("sampled", sampled)]
            random.shuffle(order)
            seconds = {name: loop_seconds(command) for name, command in order}
            for name in seconds:
                times[name].append(seconds[name])
            ratios.append(seconds["sampled"] / seconds["plain"])
        with open(report) as text:
            samples = sum(1 for line in text if line[:1] == " " and line.strip()[:1].isdigit())
    print(f"plain   median {statistics.median(times['plain']):.3f} s")
    print(f"sampled median {statistics.median(times['sampled']):.3f} s "
          f"(every {args.every}; {samples} samples in the last run)")
    print(f"ratio   median {statistics.median(ratios):.4f} over {args.rounds} rounds "
          f"(from {min(ratios):.4f} to {max(ratios):.4f})")


if __name__ == "__main__":
    main()
