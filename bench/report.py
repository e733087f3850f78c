"""Tables from a Summary, rendered as plain text (stdout) or Markdown (the
report in docs/BENCHMARKS.md)."""

from dataclasses import dataclass

from allocators import BASELINE, BESIDE, SYSTEM, TARGET
from summary import geomean


@dataclass
class Table:
    title: str
    header: list
    rows: list
    note: str = ""

    def text(self):
        widths = [max(len(str(row[i])) for row in [self.header, *self.rows])
                  for i in range(len(self.header))]

        def line(row):
            cells = [str(c).ljust(widths[0]) if i == 0 else str(c).rjust(widths[i])
                     for i, c in enumerate(row)]
            return "  ".join(cells).rstrip()
        out = [self.title, line(self.header), line(["-" * w for w in widths])]
        out += [line(r) for r in self.rows]
        if self.note:
            out.append(self.note)
        return "\n".join(out) + "\n"

    def markdown(self):
        out = ["### " + self.title, ""]
        if self.note:
            out += [self.note, ""]
        out.append("| " + " | ".join(self.header) + " |")
        out.append("|" + "|".join([" --- "] + [" ---: "] * (len(self.header) - 1)) + "|")
        out += ["| " + " | ".join(str(c) for c in row) + " |" for row in self.rows]
        return "\n".join(out) + "\n"


def _number(value, digits=2, failed=False):
    if failed:
        return "FAIL"
    return "-" if value is None else "%.*f" % (digits, value)


def _workload_label(workload):
    return workload.name + (" (%d thr)" % workload.threads if workload.multi_threaded else "")


def _failed(summary, workload, allocator):
    return bool(summary.cells[workload][allocator].failures)


def time_table(summary, rounds):
    names = summary.names
    extra = []
    if TARGET in names and BASELINE in names:
        extra = ["%s/%s" % (TARGET, BASELINE), "%s/best peer" % TARGET]
    rows = []
    for w in summary.workloads:
        row = [_workload_label(w)]
        row += [_number(summary.wall(w.name, a), 3, _failed(summary, w.name, a)) for a in names]
        if extra:
            best_name, best = summary.best_peer(w.name, "wall")
            mine = summary.wall(w.name, TARGET)
            row.append(_number(summary.time_ratio(w.name, TARGET)))
            row.append(_number(mine / best if mine and best else None) +
                       (" (%s)" % best_name if best_name else ""))
        rows.append(row)
    return Table("Wall time, seconds (median of %d rounds)" % rounds,
                 ["workload", *names, *extra], rows)


def _ratio_table(title, summary, cell_ratio, note):
    if BASELINE not in summary.names:
        return None
    names = summary.names
    rows = []
    for w in summary.workloads:
        rows.append([_workload_label(w)] +
                    [_number(cell_ratio(w.name, a), 2, _failed(summary, w.name, a))
                     for a in names])
    geomeans = []
    for a in names:
        values = [cell_ratio(w.name, a) for w in summary.workloads]
        geomeans.append(_number(geomean(values) if None not in values else None))
    rows.append(["geometric mean", *geomeans])
    return Table(title, ["workload", *names], rows, note)


def spread_table(summary):
    rows = [[_workload_label(w)] +
            [_number(_percent(summary.cells[w.name][a].wall_spread), 0,
                     _failed(summary, w.name, a)) for a in summary.names]
            for w in summary.workloads]
    return Table("Spread of wall time over the rounds, % of the median", ["workload",
                 *summary.names], rows,
                 "(slowest - fastest) / median.  Where it is large, the machine was busy or "
                 "the workload is sensitive to how threads are scheduled; compare "
                 "instruction counts with --callgrind.")


def _percent(fraction):
    return None if fraction is None else 100 * fraction


def time_ratio_table(summary):
    return _ratio_table("Time relative to mimalloc (lower is better)", summary,
                        summary.time_ratio, "")


def rss_table(summary):
    names = summary.names
    rows = [[_workload_label(w)] +
            [_number(summary.rss(w.name, a), 1, _failed(summary, w.name, a)) for a in names]
            for w in summary.workloads]
    return Table("Peak RSS, MiB (median)", ["workload", *names], rows)


def rss_ratio_table(summary):
    return _ratio_table("Peak RSS relative to mimalloc (lower is better)", summary,
                        summary.rss_ratio, "")


def speedup_table(summary):
    threaded = summary.multi_threaded()
    if not threaded or SYSTEM not in summary.names:
        return None
    names = [a for a in summary.names if a != SYSTEM]
    rows = [[_workload_label(w)] +
            [_number(summary.speedup_over_system(w.name, a), 2, _failed(summary, w.name, a))
             for a in names] for w in threaded]
    rows.append(["geometric mean"] + [
        _number(geomean([summary.speedup_over_system(w.name, a) for w in threaded]))
        for a in names])
    return Table("Multi-threaded workloads: speed-up over glibc (higher is better)",
                 ["workload", *names], rows)


def fragmentation_table(summary):
    rows = []
    for w in summary.workloads:
        cells = [summary.cells[w.name][a] for a in summary.names]
        if any(c.live_peaks for c in cells):
            rows.append([w.name] + [_number(c.rss_per_live, 2, bool(c.failures))
                                    for c in cells])
    if not rows:
        return None
    return Table("Peak RSS per peak live byte (lower is better)",
                 ["workload", *summary.names], rows,
                 "Live bytes are what the program holds at its peak; 1.00 would be no "
                 "overhead at all.")


def targets_table(summary):
    targets = summary.targets()
    if targets is None:
        return None
    reference = summary.targets(BASELINE)
    rows = []
    for target, peer in zip(targets, reference):
        bound = (">= " if "speed-up" in target.description else "<= ") + "%.2f" % target.limit
        # The slowest workload differs between the two; the name is mmkit's.
        rows.append([target.description, _number(target.value), bound,
                     "pass" if target.passed else "FAIL", _number(peer.value)])
    return Table("Targets for mmkit", ["target", TARGET, "limit", "verdict", BASELINE], rows,
                 "A target fails as well when mmkit failed any run it depends on.  The "
                 "last column judges mimalloc by the same rules, to show what is within "
                 "reach on this machine.")


def failures_table(summary):
    failures = summary.failures()
    if not failures:
        return None
    rows = [[w, a, error, "`%s`" % command] for w, a, error, command in failures]
    return Table("Failed runs", ["workload", "allocator", "what happened", "to reproduce"],
                 rows)


def before_table(summary, modes=None):
    """This build against another (--before): each configuration's time
    over its twin's of the other build, from the Summary that holds both
    (summary for mmkit, the checking-modes section's for hardened mode), or
    None if no pair ran."""
    pairs = []
    for name, twin in BESIDE.items():
        holder = summary if name == TARGET else modes.summary_of(name) if modes else None
        if holder and name in holder.names and twin in holder.names:
            pairs.append((holder, name, twin))
    if not pairs:
        return None
    columns = [[s.time_ratio(w.name, name, against=twin) for w in s.workloads]
               for s, name, twin in pairs]
    rows = [[_workload_label(w)] +
            [_number(column[i], 2, _failed(s, w.name, name) or _failed(s, w.name, twin))
             for column, (s, name, twin) in zip(columns, pairs)]
            for i, w in enumerate(summary.workloads)]
    rows.append(["geometric mean"] + [_number(geomean(c) if None not in c else None)
                                      for c in columns])
    note = ("Each number is this build's median wall time divided by that of the build "
            "given with --before (mmkit-before), both run in the same interleaved rounds%s.  "
            "Wall time moves by a few percent from run to run: for smaller differences, "
            "compare instruction counts (callgrind)."
            % ("; hardened mode on the work and in the rounds of the checking-modes section"
               if len(pairs) > 1 else ""))
    return Table("This build against --before: time relative to the other build "
                 "(lower is better)",
                 ["workload"] + ["%s / %s" % (name, twin) for _, name, twin in pairs], rows,
                 note)


def all_tables(summary, rounds):
    tables = [targets_table(summary), time_table(summary, rounds), time_ratio_table(summary),
              speedup_table(summary), rss_table(summary), rss_ratio_table(summary),
              fragmentation_table(summary), spread_table(summary), failures_table(summary)]
    return [t for t in tables if t is not None]
