"""The checking-modes section: what mmkit's checking modes, glibc's malloc
checks and valgrind's memcheck cost, as time relative to mmkit in its
default fast mode.

Every checking configuration runs in the same interleaved rounds as the
comparison with the peers, each against a run of mmkit's fast mode at the
same size of work.  The fast ones (hardened and sample mode, within some
percent of fast mode, where noise on a shared machine matters most) run on
half the work in three times the rounds.  The slow ones run on less, so that the section stays
within a few minutes: debug mode and glibc's checks (some 4 to 40 times
slower) in at most three rounds, debug mode on a fifth of the work, valgrind
on a tenth and only on churn_small and sqlite3, in at most three rounds.  Their fast
mode reference runs on the same reduced work, so every ratio compares equal
work.
"""

from dataclasses import dataclass, replace

from allocators import BESIDE, SYSTEM, TARGET
from report import Table, _number, _workload_label
from summary import Summary, Target, geomean, ratio

HARDENED_LIMIT = 1.10


@dataclass(frozen=True)
class Setting:
    """How much of the work a checking configuration runs, on what."""
    scale: float = 1.0
    # The workloads it runs, or None for all of them.
    only: tuple = None
    max_rounds: int = None
    # Rounds as a multiple of the run's (before max_rounds).
    rounds_factor: int = 1


VALGRIND = Setting(0.1, ("churn_small", "sqlite3"), 3)
SETTINGS = {
    "mmkit-hardened": Setting(0.5, rounds_factor=3),
    "mmkit-sample": Setting(0.5, rounds_factor=3),
    "mmkit-debug": Setting(0.2, None, 3),
    "glibc-check": Setting(1.0, None, 3),
    "valgrind": VALGRIND,
    "valgrind-mmkit": VALGRIND,
}
# --before's hardened mode runs on the same work in the same rounds as this
# build's.
SETTINGS[BESIDE["mmkit-hardened"]] = SETTINGS["mmkit-hardened"]


@dataclass(frozen=True)
class Pair:
    """One workload under one allocator at one size: run once a round, in
    rounds 1 to `rounds`."""
    workload: object
    allocator: object
    scale: float
    rounds: int


def rounds_of(allocator, rounds):
    """The rounds a checking configuration runs in, given the run's."""
    setting = SETTINGS[allocator.name]
    wanted = rounds * setting.rounds_factor
    return min(wanted, setting.max_rounds or wanted)


def plan(workloads, allocators, reference, rounds, scale):
    """The pairs to run: every workload under every plain allocator, and
    under every checking configuration as its setting says, each time with
    mmkit's fast mode (`reference`) on the same work."""
    pairs = {}

    def add(workload, allocator, at_scale, at_rounds):
        key = (workload.name, allocator.name, at_scale)
        if key in pairs:
            at_rounds = max(at_rounds, pairs[key].rounds)
        pairs[key] = Pair(workload, allocator, at_scale, at_rounds)

    for allocator in allocators:
        if not allocator.checking:
            for workload in workloads:
                add(workload, allocator, scale, rounds)
            continue
        at_rounds = rounds_of(allocator, rounds)
        setting = SETTINGS[allocator.name]
        for workload in workloads:
            if setting.only is None or workload.name in setting.only:
                add(workload, allocator, scale * setting.scale, at_rounds)
                add(workload, reference, scale * setting.scale, at_rounds)
    return list(pairs.values())


class Modes:
    """The checking configurations' numbers, each against fast mode on the
    same work."""

    def __init__(self, runs, workloads, checking, reference, scale, rounds, main=None):
        """main: the Summary of the plain allocators, for glibc's time.
        The other build's configurations (--before) are in the summaries but
        not in the tables, which are of this build's."""
        self.workloads = workloads
        self.checking = [c for c in checking if c.name not in BESIDE.values()]
        self.scale = scale
        self.rounds = rounds
        self.main = main
        self.summaries = {}
        for at_scale in sorted({self.scale_of(c) for c in checking}):
            here = [reference] + [c for c in checking if self.scale_of(c) == at_scale]
            names = {a.name for a in here}
            mine = [r for r in runs if r["scale"] == at_scale and r["allocator"] in names]
            self.summaries[at_scale] = Summary(mine, workloads, here, reference_allocator=TARGET)

    def scale_of(self, allocator):
        return self.scale * SETTINGS[allocator.name].scale

    def summary_of(self, name):
        """The Summary that holds configuration name's runs, if it ran."""
        return self.summaries.get(self.scale * SETTINGS[name].scale)

    def rounds_of(self, allocator):
        return rounds_of(allocator, self.rounds)

    def ran(self, workload, allocator):
        only = SETTINGS[allocator.name].only
        return only is None or workload in only

    def _cell_ratio(self, workload, allocator, metric):
        summary = self.summaries[self.scale_of(allocator)]
        if metric == "time":
            return summary.time_ratio(workload, allocator.name, against=TARGET)
        return summary.rss_ratio(workload, allocator.name, against=TARGET)

    def failed(self, workload, allocator):
        summary = self.summaries[self.scale_of(allocator)]
        return bool(summary.cells[workload][allocator.name].failures or
                    summary.cells[workload][TARGET].failures)

    def geomean(self, allocator, metric="time"):
        """Over the workloads the configuration ran; None if any failed."""
        values = [self._cell_ratio(w.name, allocator, metric) for w in self.workloads
                  if self.ran(w.name, allocator)]
        return geomean(values) if values and None not in values else None

    def hardened_target(self):
        hardened = next((c for c in self.checking if c.name == "mmkit-hardened"), None)
        if hardened is None:
            return None
        value = self.geomean(hardened)
        return Target("mmkit-hardened vs fast mode, geometric-mean time", value,
                      HARDENED_LIMIT, value is not None and value <= HARDENED_LIMIT)

    def glibc_check_vs_glibc(self):
        """glibc-check's geometric-mean time relative to plain glibc, or None."""
        check = next((c for c in self.checking if c.name == "glibc-check"), None)
        if check is None or self.main is None or SYSTEM not in self.main.names:
            return None
        summary = self.summaries[self.scale_of(check)]
        values = [ratio(summary.wall(w.name, check.name), self.main.wall(w.name, SYSTEM))
                  for w in self.workloads]
        return geomean(values) if None not in values else None

    def failures(self):
        """Those of fast mode on the full work are the comparison's own."""
        return [f for at_scale, s in self.summaries.items() for f in s.failures()
                if not (f[1] == TARGET and at_scale == self.scale)]

    def as_dict(self):
        return {c.name: {"scale": self.scale_of(c), "rounds": self.rounds_of(c),
                         "time_vs_fast": {w.name: self._cell_ratio(w.name, c, "time")
                                          for w in self.workloads},
                         "rss_vs_fast": {w.name: self._cell_ratio(w.name, c, "rss")
                                         for w in self.workloads},
                         "time_geomean": self.geomean(c), "rss_geomean": self.geomean(c, "rss")}
                for c in self.checking}

    # ---- tables -------------------------------------------------------------

    def _table(self, title, metric, note):
        names = [c.name for c in self.checking]
        rows = []
        for w in self.workloads:
            row = [_workload_label(w)]
            for c in self.checking:
                if not self.ran(w.name, c):
                    row.append("")
                else:
                    row.append(_number(self._cell_ratio(w.name, c, metric), 2,
                                       self.failed(w.name, c)))
            rows.append(row)
        rows.append(["geometric mean"] + [_number(self.geomean(c, metric))
                                          for c in self.checking])
        rows.append(["work (x the run's)"] + ["%g" % SETTINGS[c.name].scale
                                              for c in self.checking])
        rows.append(["rounds"] + [str(self.rounds_of(c)) for c in self.checking])
        return Table(title, ["workload", *names], rows, note)

    def time_table(self):
        note = ("Each number is the median wall time under the configuration divided by the "
                "median under mmkit's fast mode (no MMKIT_OPTIONS) on the same work, in the "
                "same interleaved rounds.  mmkit-debug runs with leaks=0: its leak report at "
                "exit scans the whole heap once and would dominate these short runs.  "
                "mmkit-hardened and mmkit-sample run on half the work in three times the "
                "rounds, as their few percent matter most and noise least there; "
                "mmkit-debug runs on a fifth of the work and valgrind (memcheck -q "
                "--leak-check=no, over glibc or with mmkit preloaded in fast mode) on a "
                "tenth, on two workloads; each one's fast-mode reference runs on the same "
                "work in the same rounds.  The slow configurations run in at most three "
                "rounds (last rows).")
        against_glibc = self.glibc_check_vs_glibc()
        if against_glibc is not None:
            note += ("  glibc-check (MALLOC_CHECK_=3) takes %.2fx the time of plain glibc "
                     "(geometric mean)." % against_glibc)
        return self._table("Checking modes: time relative to mmkit fast mode (lower is better)",
                           "time", note)

    def rss_table(self):
        return self._table("Checking modes: peak RSS relative to mmkit fast mode", "rss",
                           "Under valgrind the process holds valgrind itself as well.")

    def target_table(self):
        target = self.hardened_target()
        if target is None:
            return None
        return Table("Target for the checking modes", ["target", "value", "limit", "verdict"],
                     [[target.description, _number(target.value),
                       "<= %.2f" % target.limit, "pass" if target.passed else "FAIL"]],
                     "hardened <= 1.10x fast (geometric mean over every workload); it fails "
                     "as well when a hardened or fast-mode run failed.")

    def failures_table(self):
        failures = self.failures()
        if not failures:
            return None
        rows = [[w, a, error, "`%s`" % command] for w, a, error, command in failures]
        return Table("Checking modes: failed runs",
                     ["workload", "configuration", "what happened", "to reproduce"], rows)

    def tables(self):
        tables = [self.target_table(), self.time_table(), self.rss_table(),
                  self.failures_table()]
        return [t for t in tables if t is not None]
