"""Writes docs/BENCHMARKS.md and its charts from one run of the benchmark."""

import datetime
import os
import platform
import subprocess
from pathlib import Path

import report
import svg_chart
from allocators import BASELINE, package_version
from workloads import compiler


def machine():
    """(what, description) pairs describing where the numbers came from."""
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            kib = int(info.readline().split()[1])
            memory = "%.1f GiB" % (kib / 2**20)
    except (OSError, ValueError, IndexError):
        pass
    try:
        cc = subprocess.run([compiler(), "--version"], capture_output=True,
                            text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        cc = "unknown"
    return [("CPU", cpu), ("cores", str(os.cpu_count())), ("memory", memory),
            ("kernel", "%s %s" % (platform.system(), platform.release())),
            ("compiler", cc), ("sqlite3", package_version("sqlite3")),
            ("python3", platform.python_version())]


def write(docs_dir, summary, allocators, rounds, command, load, modes_tables=(),
          checking=(), before_tables=()):
    """load: the machine's load averages when the run started and when it
    ended; other work on the machine shows in the times, so the report says
    how busy it was.  modes_tables: the checking-modes section's tables, of
    the configurations in checking.  before_tables: this build against the
    one given with --before."""
    docs = Path(docs_dir)
    docs.mkdir(parents=True, exist_ok=True)
    names = [a.name for a in allocators]
    subtitle = "ratio to %s, median of %d rounds; left of 1x is better" % (BASELINE, rounds)
    charts = [("bench-time.svg", "Wall time relative to " + BASELINE, summary.time_ratio),
              ("bench-rss.svg", "Peak RSS relative to " + BASELINE, summary.rss_ratio)]
    for filename, title, cell_ratio in charts:
        groups = [(w.name, {a: svg_chart.FAILED if summary.cells[w.name][a].failures
                            else cell_ratio(w.name, a) for a in names})
                  for w in summary.workloads]
        (docs / filename).write_text(svg_chart.bar_chart(title, subtitle, groups, names))

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmarks", "",
             "mmkit against the system allocator and the allocators Debian packages, on "
             "workloads modelled on the usual allocator benchmarks (mimalloc-bench, "
             "Larson, cache-scratch) and two real programs, sqlite3 and python3.  Generated "
             "by `bench/run.py`; do not edit by hand.", "",
             "To reproduce: `%s`" % command, "",
             "Measured %s, %d interleaved rounds (every workload under every allocator, in a "
             "different order each round); each number is the median.  Wall time and peak "
             "RSS are those of the workload's process.  Every workload checks what it wrote "
             "into its blocks and prints a digest that must match across allocators; a run "
             "that fails or disagrees counts as FAIL, never as a time.  Other work on the machine "
             "slows the multi-threaded workloads most (they need both cores at once): the load "
             "averages below and the spread table say how far to trust each number." %
             (date, rounds), "",
             "## Machine", "",
             "| | |", "| --- | --- |"]
    lines += ["| %s | %s |" % pair for pair in machine()]
    lines += ["| load average (1, 5, 15 min) at the %s | %s |" % (when, " ".join(
        "%.2f" % x for x in averages)) for when, averages in zip(("start", "end"), load)]
    lines += ["| %s | %s |" % (a.name, a.version) for a in allocators]
    lines += ["", "## Workloads", "", "| workload | threads | what it does |",
              "| --- | ---: | --- |"]
    lines += ["| %s | %d | %s |" % (w.name, w.threads, w.summary) for w in summary.workloads]
    lines += ["", "## Results", "", "![time](bench-time.svg)", "", "![rss](bench-rss.svg)", ""]
    lines += [t.markdown() for t in report.all_tables(summary, rounds)]
    if modes_tables:
        lines += ["## Checking modes", "",
                  "What finding memory bugs costs: mmkit's checking modes "
                  "([CHECKING.md](CHECKING.md)), glibc's own checks and valgrind's memcheck, "
                  "each relative to mmkit in its default fast mode.  The checking "
                  "configurations ran in the same interleaved rounds as the table above, each "
                  "next to a run of fast mode on the same work.", "",
                  "| configuration | how it runs |", "| --- | --- |"]
        lines += ["| %s | `%s` |" % (a.name, _how(a)) for a in checking]
        lines += [""]
        lines += [t.markdown() for t in modes_tables]
    if before_tables:
        lines += ["## This build against another", "",
                  "mmkit-before is another build of libmmkit, given with --before (say, from "
                  "before a change), timed beside this one in the same interleaved rounds.", ""]
        lines += [t.markdown() for t in before_tables]
    lines += ["## Running parts of it", "",
              "`python3 bench/run.py --help` lists the options.  The useful ones:", "",
              "- `--only churn_small,sqlite3` and `--allocators mimalloc,mmkit` narrow the run "
              "(such a run prints its tables but leaves this page alone);",
              "- `--quick` runs one round at a fifth of the work, as a smoke test;",
              "- `--json FILE` keeps every single run;",
              "- `--modes` runs only the checking-modes section, `--no-modes` leaves it out "
              "and `--no-valgrind` leaves valgrind out of it;",
              "- `--callgrind WORKLOAD` counts the instructions one workload executes under "
              "each allocator, which varies far less than time on a busy machine;",
              "- `--before OTHER-BUILD/libmmkit.so` times another build of mmkit beside this "
              "one, in fast and hardened mode, with a table of this build's time relative to "
              "it.", ""]
    (docs / "BENCHMARKS.md").write_text("\n".join(lines))


def _how(allocator):
    """How a checking configuration runs, as a shell prefix."""
    words = ["%s=%s" % pair for pair in allocator.env]
    if allocator.library:
        words.append("LD_PRELOAD=" + os.path.basename(allocator.library))
    words += allocator.wrapper
    return " ".join(words) if words else "glibc"
