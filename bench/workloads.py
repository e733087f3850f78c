"""The workloads: what each one is, how to build it and how to run it.

A C workload lives in workloads/<name>.c, takes a scale as its only argument
and prints `check=<hex>` (a digest of what it verified).  A program workload
runs an installed program on a generated input; its check is a digest of its
whole output.  Either way, the check must be the same under every allocator.
"""

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlite_script

BENCH_DIR = Path(__file__).resolve().parent
WORKLOAD_SOURCES = BENCH_DIR / "workloads"
# The project's warnings (CMakeLists.txt), so the workloads meet its rules.
C_FLAGS = ["-std=c17", "-O2", "-Wall", "-Wextra", "-Wshadow", "-Wstrict-prototypes", "-Werror",
           "-pthread"]


@dataclass(frozen=True)
class Workload:
    name: str
    summary: str
    threads: int
    # C workloads: the source's stem; program workloads: None.
    source: str = None

    @property
    def multi_threaded(self):
        return self.threads > 1


WORKLOADS = [
    Workload("churn_small", "small blocks replaced at random in one thread", 1, "churn_small"),
    Workload("larson_server", "Larson server: threads free their predecessors' blocks", 4,
             "larson_server"),
    Workload("producer_consumer", "two producer/consumer pairs: every free is cross-thread", 4,
             "producer_consumer"),
    Workload("cache_scratch", "passive false sharing between two threads", 2, "cache_scratch"),
    Workload("realloc_growth", "64 buffers growing by appends to up to 1 MiB", 1,
             "realloc_growth"),
    Workload("large_blocks", "blocks of 64 KiB..4 MiB, every page written", 1, "large_blocks"),
    Workload("fragmentation_wave", "waves of mixed sizes, 7 of 8 freed; peak RSS vs live", 1,
             "fragmentation_wave"),
    Workload("sqlite3", "sqlite3 running a generated SQL script in memory", 1),
    Workload("python3", "python3 (PYTHONMALLOC=malloc) munging records through JSON", 1),
]


def by_names(names):
    """The workloads named in the comma-separated list, or all of them."""
    if not names:
        return list(WORKLOADS)
    known = {w.name: w for w in WORKLOADS}
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in wanted if n not in known]
    if unknown:
        raise SystemExit("bench: unknown workload %s (known: %s)"
                         % (", ".join(unknown), ", ".join(known)))
    return [known[n] for n in wanted]


def compiler():
    return os.environ.get("CC") or shutil.which("cc") or "gcc"


def _compile(source, binary, headers=()):
    """Compiles source into binary unless binary is newer than it and its headers."""
    inputs = [source, *headers]
    if binary.exists() and all(binary.stat().st_mtime >= p.stat().st_mtime for p in inputs):
        return
    binary.parent.mkdir(parents=True, exist_ok=True)
    command = [compiler(), *C_FLAGS, str(source), "-o", str(binary)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit("bench: cannot compile %s:\n%s" % (source.name, result.stderr))


def build(build_dir, workloads):
    """Compiles the launcher and the C workloads into <build>/bench; returns
    the launcher's path."""
    out = Path(build_dir) / "bench"
    launcher = out / "measure"
    _compile(BENCH_DIR / "measure.c", launcher)
    for workload in workloads:
        if workload.source:
            _compile(WORKLOAD_SOURCES / (workload.source + ".c"), out / workload.source,
                     [WORKLOAD_SOURCES / "bench_util.h"])
    return launcher


class Inputs:
    """Prepares the command line (and input file) of each workload, once per
    run, in a scratch directory."""

    def __init__(self, build_dir, scratch_dir, scale):
        self.binaries = Path(build_dir) / "bench"
        self.scratch = Path(scratch_dir)
        self.scale = scale
        self._sql = None

    def command(self, workload):
        """Returns (argv, path of stdin or None)."""
        if workload.source:
            return [str(self.binaries / workload.source), "%g" % self.scale], None
        if workload.name == "sqlite3":
            if self._sql is None:
                self._sql = self.scratch / "workload.sql"
                sqlite_script.write(self._sql, self.scale)
            return [shutil.which("sqlite3") or "sqlite3", ":memory:"], self._sql
        if workload.name == "python3":
            # Without PYTHONMALLOC=malloc the interpreter would serve small
            # objects from its own pools and barely call the allocator.
            return ["env", "PYTHONMALLOC=malloc", sys.executable,
                    str(BENCH_DIR / "python_objects.py"), "%g" % self.scale], None
        raise ValueError(workload.name)

    def reproduce(self, workload, allocator):
        """A shell command that reruns the workload by hand under allocator,
        from the source tree."""
        argv, stdin = self.command(workload)
        argv = ["python3" if a == sys.executable else relative(a) for a in argv]
        argv = list(allocator.wrapper) + argv
        if stdin is not None:
            argv = ["python3", relative(str(BENCH_DIR / "sqlite_script.py")),
                    "%g" % self.scale, "|", *argv]
            preload_at = argv.index("|") + 1
        else:
            preload_at = 0
        settings = ["%s=%s" % pair for pair in allocator.env]
        if allocator.library:
            settings.append("LD_PRELOAD=" + relative(allocator.library))
        argv[preload_at:preload_at] = settings
        return " ".join(argv)


def relative(path):
    """path relative to the current directory when it lies below it, so that
    reports do not carry one machine's directories."""
    inside = Path(os.path.abspath(path)).is_relative_to(Path.cwd())
    return os.path.relpath(path) if inside else path


CHECK_LINE = re.compile(r"^check=([0-9a-f]{16})$", re.M)
LIVE_PEAK_LINE = re.compile(r"^live_peak=(\d+)$", re.M)


def check_of(workload, stdout):
    """The check the workload printed, or None if it printed none.  A program
    that prints no check line (sqlite3) is checked by its whole output."""
    match = CHECK_LINE.search(stdout)
    if match or workload.source:
        return match.group(1) if match else None
    return hashlib.sha256(stdout.encode()).hexdigest()[:16] if stdout.strip() else None


def live_peak_of(stdout):
    """Peak live bytes, for the workloads that report them, else None."""
    match = LIVE_PEAK_LINE.search(stdout)
    return int(match.group(1)) if match else None
