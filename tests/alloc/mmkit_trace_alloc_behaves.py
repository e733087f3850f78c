#!/usr/bin/env python3
"""`mmkit trace --dump` prints an allocation trace as text and as JSON with
every record the writer was given, and names the file and offset of a
damaged one; `mmkit trace --alloc` runs a program on libmmkit with
trace=FILE in MMKIT_OPTIONS and passes its exit status on.
Usage: mmkit_trace_alloc_behaves.py MMKIT TRACE_PROBE"""
import json
import os
import re
import subprocess
import sys
import tempfile

MMKIT, PROBE = sys.argv[1], sys.argv[2]
failures = []


def run(args, **kwargs):
    env = dict(os.environ)
    for var in ("LD_PRELOAD", "MMKIT_OPTIONS"):
        env.pop(var, None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60, **kwargs)


def check(what, ok, r):
    if not ok:
        failures.append(f"{what}\n  command: {' '.join(r.args)}\n  exit {r.returncode}\n"
                        f"  stdout: {r.stdout[-1500:]!r}\n  stderr: {r.stderr[-1500:]!r}")


def address(text):
    return 0 if text == "NULL" else int(text, 16)


with tempfile.TemporaryDirectory() as tmp:
    trace = os.path.join(tmp, "probe.mmat")
    r = run([PROBE, trace])
    check("the probe writes a trace", r.returncode == 0 and os.path.exists(trace), r)
    wanted = [json.loads(line) for line in r.stdout.splitlines()]

    r = run([MMKIT, "trace", "--dump", "--json", trace])
    check("--dump --json exits 0", r.returncode == 0 and r.stderr == "", r)
    got = [json.loads(line) for line in r.stdout.splitlines()]
    check(f"--json gives the {len(wanted)} records written", len(got) == len(wanted), r)
    tids = {}
    for want, record in zip(wanted, got):
        # the reader's thread numbers follow first calls, as the probe's do
        tids.setdefault(want["thread"], record["tid"])
        fields = {k: v for k, v in want.items() if k in record}
        same = all(record[k] == v for k, v in fields.items())
        check(f"record {record} is {want}", same and want["tid"] == record["tid"], r)
    times = [record["time_ns"] for record in got]
    check("times never go backwards", times == sorted(times), r)

    r = run([MMKIT, "trace", "--dump", trace])
    check("--dump exits 0", r.returncode == 0 and r.stderr == "", r)
    lines = [l for l in r.stdout.splitlines() if not l.startswith("#")]
    check("--dump starts with a header naming the process",
          re.match(r"# mmkit allocation trace of process \d+ \(parent \d+\)", r.stdout), r)
    check("--dump prints a line per record", len(lines) == len(wanted), r)
    line_form = re.compile(r"\s*(\d+) t(\d+) +(\w+) +(?:(\S+) -> )?(\S+)(?: (\d+))?(?: align (\d+))?$")
    for want, line in zip(wanted, lines):
        m = line_form.match(line)
        ok = m is not None and int(m[2]) == want["thread"] and m[3] == want["op"] \
            and address(m[5]) == want["address"] \
            and (m[4] is None or address(m[4]) == want["old_address"]) \
            and (m[6] is None or int(m[6]) == want["size"]) \
            and (m[7] is None or int(m[7]) == want["alignment"])
        check(f"line {line!r} shows {want}", ok, r)

    with open(trace, "rb") as f:
        data = f.read()
    cut = os.path.join(tmp, "cut.mmat")
    with open(cut, "wb") as f:
        f.write(data[:-1])
    r = run([MMKIT, "trace", "--dump", cut])
    check("a cut trace fails after printing the records before the cut",
          r.returncode == 1 and len(r.stdout.splitlines()) == len(lines) + 1, r)
    check("a cut trace's error names the file and offset",
          re.fullmatch(re.escape(f"mmkit: {cut}: offset ") + r"\d+: truncated record\n", r.stderr), r)
    r = run([MMKIT, "trace", "--dump", PROBE])
    check("a file of another kind is refused",
          r.returncode == 1 and r.stderr == f"mmkit: {PROBE}: not an mmkit allocation trace\n", r)
    r = run([MMKIT, "trace", "--dump"])
    check("--dump without a file is a usage error", r.returncode == 2, r)

    r = run([MMKIT, "trace", "--help"])
    check("--help shows both new forms", r.returncode == 0 and "--alloc" in r.stdout
          and "--dump" in r.stdout, r)

    out = os.path.join(tmp, "run.mmat")
    r = run([MMKIT, "trace", "--alloc", "-o", out, "--", "sh", "-c",
             'echo "$MMKIT_OPTIONS"; echo "$LD_PRELOAD"; exit 3'])
    check("--alloc passes the exit status on", r.returncode == 3, r)
    check("--alloc sets trace=FILE in MMKIT_OPTIONS",
          r.stdout.splitlines()[:1] == [f"trace={out}"], r)
    check("--alloc preloads libmmkit", "libmmkit.so" in r.stdout, r)
    r = run([MMKIT, "trace", "--alloc", "-o", "run.mmat", "--", "true"], cwd=tmp)
    check("--alloc runs a program and exits 0", r.returncode == 0, r)
    r = run([MMKIT, "trace", "--alloc", "-o", "a,b", "--", "true"])
    check("--alloc refuses a file name MMKIT_OPTIONS cannot carry",
          r.returncode == 2 and "','" in r.stderr, r)
    r = run([MMKIT, "trace", "--alloc", "--", "/no/such/program"])
    check("--alloc of a missing program exits 127", r.returncode == 127, r)

    # A real program: every call is recorded, and the trace is consistent:
    # each free or realloc names a block that is live at that point.
    out = os.path.join(tmp, "sort.mmat")
    lines_in = "".join(f"{(i * 7919) % 1000}\n" for i in range(5000))
    r = run([MMKIT, "trace", "--alloc", "-o", out, "--", "sort", "-n"], input=lines_in)
    check("--alloc runs sort on libmmkit", r.returncode == 0 and r.stdout.count("\n") == 5000, r)
    r = run([MMKIT, "trace", "--dump", "--json", out])
    records = [json.loads(line) for line in r.stdout.splitlines()]
    ops = {record["op"] for record in records}
    check("sort's trace has mallocs and frees", {"malloc", "free"} <= ops, r)
    live, unknown = set(), []
    for record in records:
        if record["op"] in ("free", "realloc") and record.get("old_address", record["address"]):
            old = record["old_address"] if record["op"] == "realloc" else record["address"]
            if old not in live:
                unknown.append(record)
            live.discard(old)
        if record["op"] != "free" and record["address"]:
            live.add(record["address"])
    check(f"every free names a live block ({len(unknown)} do not: {unknown[:3]})", not unknown, r)

    # The picture: live bytes over the run, one point per span of time.
    svg = os.path.join(tmp, "live.svg")
    r = run([MMKIT, "trace", "--dump", "--svg", svg, out])
    check("--dump --svg exits 0 and prints nothing", r.returncode == 0 and not r.stdout, r)
    try:
        import xml.dom.minidom
        lines = xml.dom.minidom.parse(svg).getElementsByTagName("polyline")
        points = lines[0].getAttribute("points").split() if lines else []
    except Exception as e:  # a picture that does not parse fails the check below
        points = [str(e)]
    check(f"--svg draws one line of 600 points (got {len(points)})", len(points) == 600, r)
    r = run([MMKIT, "trace", "--dump", "--svg", svg, "--json", out])
    check("--svg and --json together are a usage error", r.returncode == 2, r)

if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print("ok: mmkit trace --alloc and --dump")
