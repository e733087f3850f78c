"""From raw runs to the numbers that are reported: medians, ratios,
geometric means, and the verdict on each of mmkit's targets.

A run counts only if it exited 0, printed its check and the check agrees
with the reference (glibc's, or the most common one if glibc did not run).
An allocator with any failed run on a workload gets no number there, and a
target it cannot be judged on fails: a broken allocator cannot win.
"""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field

from allocators import BASELINE, SYSTEM, TARGET

# The targets mmkit must meet, as (limit, what it is).
TIME_GEOMEAN_LIMIT = 1.00
WORST_VS_BEST_PEER_LIMIT = 1.25
RSS_GEOMEAN_LIMIT = 1.10
MULTI_THREADED_SPEEDUP_MIN = 1.5


@dataclass
class Cell:
    """One workload under one allocator."""
    walls: list = field(default_factory=list)
    rss_kib: list = field(default_factory=list)
    live_peaks: list = field(default_factory=list)
    failures: list = field(default_factory=list)

    @property
    def ok(self):
        return bool(self.walls) and not self.failures

    @property
    def wall(self):
        return statistics.median(self.walls) if self.ok else None

    @property
    def wall_spread(self):
        """(slowest - fastest) / median over the rounds: how far to trust
        the median."""
        return (max(self.walls) - min(self.walls)) / self.wall if self.ok else None

    @property
    def rss_mib(self):
        return statistics.median(self.rss_kib) / 1024 if self.ok else None

    @property
    def rss_per_live(self):
        if not self.ok or not self.live_peaks:
            return None
        return statistics.median(self.rss_kib) * 1024 / statistics.median(self.live_peaks)


def geomean(values):
    values = [v for v in values if v is not None]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def ratio(numerator, denominator):
    if numerator is None or denominator is None:
        return None
    return numerator / denominator


@dataclass
class Target:
    description: str
    value: float
    limit: float
    passed: bool


class Summary:
    """cells[workload][allocator] for the workloads and allocators run.
    The right check of a workload is the one reference_allocator printed
    (glibc's unless told otherwise), else the most common one."""

    def __init__(self, runs, workloads, allocators, reference_allocator=SYSTEM):
        self.workloads = workloads
        self.allocators = allocators
        self.names = [a.name for a in allocators]
        self.peers = [a.name for a in allocators if a.peer]
        self.cells = {w.name: {a: Cell() for a in self.names} for w in workloads}
        self.references = {}
        for workload in workloads:
            mine = [r for r in runs if r["workload"] == workload.name]
            self.references[workload.name] = self._reference_check(mine, reference_allocator)
            for run in mine:
                self._add(workload.name, run)

    @staticmethod
    def _reference_check(runs, reference_allocator):
        checks = Counter(r["check"] for r in runs if r["check"] and not r["error"])
        system = Counter(r["check"] for r in runs
                         if r["check"] and not r["error"]
                         and r["allocator"] == reference_allocator)
        common = (system or checks).most_common(1)
        return common[0][0] if common else None

    def _add(self, workload, run):
        cell = self.cells[workload][run["allocator"]]
        reference = self.references[workload]
        error = run["error"]
        if not error and run["check"] != reference:
            error = "wrong result: check %s, expected %s" % (run["check"], reference)
        if error:
            cell.failures.append((error, run["command"]))
            return
        cell.walls.append(run["wall"])
        cell.rss_kib.append(run["maxrss_kib"])
        if run["live_peak"]:
            cell.live_peaks.append(run["live_peak"])

    # ---- derived numbers ---------------------------------------------------

    def wall(self, workload, allocator):
        return self.cells[workload][allocator].wall

    def rss(self, workload, allocator):
        return self.cells[workload][allocator].rss_mib

    def best_peer(self, workload, metric):
        """(name, value) of the peer with the lowest value of metric
        ('wall' or 'rss'), or (None, None)."""
        values = [(getattr(self, metric)(workload, p), p) for p in self.peers]
        values = [(v, p) for v, p in values if v is not None]
        if not values:
            return None, None
        value, name = min(values)
        return name, value

    def time_ratio(self, workload, allocator, against=BASELINE):
        if against not in self.names:
            return None
        return ratio(self.wall(workload, allocator), self.wall(workload, against))

    def rss_ratio(self, workload, allocator, against=BASELINE):
        if against not in self.names:
            return None
        return ratio(self.rss(workload, allocator), self.rss(workload, against))

    def speedup_over_system(self, workload, allocator):
        if SYSTEM not in self.names:
            return None
        return ratio(self.wall(workload, SYSTEM), self.wall(workload, allocator))

    def multi_threaded(self):
        return [w for w in self.workloads if w.multi_threaded]

    def failures(self):
        """(workload, allocator, error, command) for every failed run."""
        return [(w, a, error, command)
                for w, row in self.cells.items() for a, cell in row.items()
                for error, command in cell.failures]

    def as_dict(self):
        """The medians, failures and targets, for the JSON output."""
        cells = {w: {a: {"wall": c.wall, "wall_spread": c.wall_spread, "rss_mib": c.rss_mib,
                         "rss_per_live": c.rss_per_live,
                         "failures": [error for error, _ in c.failures]}
                     for a, c in row.items()}
                 for w, row in self.cells.items()}
        targets = self.targets()
        return {"cells": cells,
                "targets": [vars(t) for t in targets] if targets else None}

    # ---- the targets -------------------------------------------------------

    def targets(self, allocator=TARGET):
        """Each target judged for allocator (mmkit; a peer's numbers show
        what is within reach on this machine), or None if it or mimalloc did
        not run, so there is nothing to judge."""
        if allocator not in self.names or BASELINE not in self.names:
            return None
        names = [w.name for w in self.workloads]
        complete = all(self.cells[w][allocator].ok for w in names)

        def judged(description, values, limit, at_most):
            value = geomean(values) if None not in values else None
            passed = complete and value is not None and (
                value <= limit if at_most else value >= limit)
            return Target(description, value, limit, passed)

        worst_name, worst = None, None
        for w in names:
            _, best = self.best_peer(w, "wall")
            r = ratio(self.wall(w, allocator), best)
            if r is not None and (worst is None or r > worst):
                worst_name, worst = w, r
        worst_target = Target(
            "slowest workload vs the best peer (%s)" % (worst_name or "-"), worst,
            WORST_VS_BEST_PEER_LIMIT,
            complete and worst is not None and worst <= WORST_VS_BEST_PEER_LIMIT)

        result = [
            judged("geometric-mean time vs mimalloc",
                   [self.time_ratio(w, allocator) for w in names], TIME_GEOMEAN_LIMIT, True),
            worst_target,
            judged("geometric-mean peak RSS vs mimalloc",
                   [self.rss_ratio(w, allocator) for w in names], RSS_GEOMEAN_LIMIT, True),
        ]
        threaded = [w.name for w in self.multi_threaded()]
        if threaded and SYSTEM in self.names:
            result.append(judged("speed-up over glibc, multi-threaded geometric mean",
                                 [self.speedup_over_system(w, allocator) for w in threaded],
                                 MULTI_THREADED_SPEEDUP_MIN, False))
        return result
