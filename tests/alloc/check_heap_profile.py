#!/usr/bin/env python3
"""The heap profile of a traced program with known allocation sites
(heap_profile_program.c): `mmkit trace --dump --summary` names each site's
function and line and gets the peak and the leak right, as text and as
JSON; --folded sums to the bytes allocated; --flame and --heap are
well-formed SVG with the expected titles; a trace recorded without stacks,
and one of format version 1, still read.
Usage: check_heap_profile.py MMKIT PROGRAM SOURCE"""
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.dom.minidom

MMKIT, PROGRAM, SOURCE = sys.argv[1:4]
failures = []


def run(args, env=None):
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("LD_PRELOAD", "MMKIT_OPTIONS")}
    environment.update(env or {})
    return subprocess.run(args, capture_output=True, text=True, env=environment, timeout=60)


def check(what, ok, r=None):
    if not ok:
        detail = ""
        if r is not None:
            detail = (f"\n  command: {' '.join(r.args)}\n  exit {r.returncode}\n"
                      f"  stdout: {r.stdout[-2000:]!r}\n  stderr: {r.stderr[-1500:]!r}")
        failures.append(what + detail)


# The sites of the program: the lines marked "site: NAME".
lines = {}
with open(SOURCE) as f:
    for number, text in enumerate(f, 1):
        m = re.search(r"/\* site: (\w+) \*/", text)
        if m:
            lines[m[1]] = number
source_name = os.path.basename(SOURCE)

with tempfile.TemporaryDirectory() as tmp:
    trace = os.path.join(tmp, "program.mmat")
    r = run([MMKIT, "trace", "--alloc", "-o", trace, "--", PROGRAM])
    check("the program runs traced", r.returncode == 0 and os.path.exists(trace), r)

    r = run([MMKIT, "trace", "--dump", "--summary", "--json", trace])
    check("--summary --json exits 0 and says nothing on stderr",
          r.returncode == 0 and r.stderr == "", r)
    try:
        summary = json.loads(r.stdout)
    except ValueError as e:
        check(f"--summary --json prints one JSON object ({e})", False, r)
        summary = {}

    def site(list_name, function):
        found = [s for s in summary.get(list_name, []) if s["function"] == function]
        return found[0] if found else None

    check("the trace has stacks", summary.get("stacks") is True, r)
    for function, line in lines.items():
        s = site("call_sites", function)
        check(f"{function} is a site, at {source_name}:{line} ({s})",
              s is not None and s["line"] == line and s["file"].endswith(source_name), r)

    # At the peak: the table's 100 rows, the big block, the leak and the name.
    expected_peak = {"make_table": (100000, 100), "big_block": (50000, 1),
                     "leak_one": (777, 1), "copy_name": (13, 1)}
    for function, (bytes_, blocks) in expected_peak.items():
        s = site("peak_sites", function)
        check(f"{function} holds {bytes_} bytes in {blocks} blocks at the peak ({s})",
              s is not None and (s["peak_bytes"], s["peak_blocks"]) == (bytes_, blocks), r)
    peak = summary.get("peak", {})
    at_peak = sum(s["peak_bytes"] for s in summary.get("peak_sites", []))
    check(f"the peak ({peak}) is the sum of its sites ({at_peak}), and holds the program's",
          peak.get("bytes") == at_peak and at_peak >= sum(b for b, _ in expected_peak.values()), r)
    check("churn is not live at the peak", site("peak_sites", "churn") is None, r)

    s = site("call_sites", "churn")
    check(f"churn made 500 calls of 64 bytes ({s})",
          s is not None and (s["calls"], s["bytes"]) == (500, 32000), r)
    s = site("temporary_sites", "churn")
    check(f"churn's 500 allocations are temporary ({s})",
          s is not None and s["temporary"] == 500, r)
    s = site("temporary_sites", "make_table")
    check(f"make_table's rows are not temporary ({s})", s is None, r)

    s = site("leaked_sites", "leak_one")
    check(f"leak_one leaked 777 bytes in 1 block ({s})",
          s is not None and (s["leaked_bytes"], s["leaked_blocks"]) == (777, 1), r)
    for function in ("make_table", "big_block", "copy_name", "churn"):
        check(f"{function} leaked nothing", site("leaked_sites", function) is None, r)

    # The records agree with the totals.
    r = run([MMKIT, "trace", "--dump", "--json", trace])
    records = [json.loads(line) for line in r.stdout.splitlines()]
    allocated = sum(rec["size"] for rec in records if rec["op"] != "free" and rec["address"])
    check(f"the summary's bytes ({summary.get('allocated_bytes')}) are the records' ({allocated})",
          summary.get("allocated_bytes") == allocated, r)
    check("every allocation of the program names a stack",
          all(rec.get("stack") for rec in records if rec["op"] != "free"), r)

    # The text form names the same sites, lines and peak.
    r = run([MMKIT, "trace", "--dump", "--summary", "--top", "50", trace])
    check("--summary exits 0", r.returncode == 0 and r.stderr == "", r)
    check(f"--summary gives the peak, {peak.get('bytes')} bytes",
          re.search(rf"^  peak: +{peak.get('bytes')} bytes .* live in {peak.get('blocks')} blocks",
                    r.stdout, re.M), r)
    for function, line in lines.items():
        check(f"--summary names {function} at {source_name}:{line}",
              f"{function} at {source_name}:{line}" in r.stdout, r)
    leaked = r.stdout.split("bytes live at exit (leaked), by site")[-1]
    check("--summary lists the leak under the leaks",
          re.search(rf"^ +777 +1  leak_one at {source_name}:{lines['leak_one']}$", leaked, re.M), r)

    # Folded stacks: each line "frame;...;frame bytes", summing to the bytes
    # allocated, and the table's rows under main;make_table.
    folded = os.path.join(tmp, "program.folded")
    flame = os.path.join(tmp, "flame.svg")
    heap = os.path.join(tmp, "heap.svg")
    r = run([MMKIT, "trace", "--dump", "--folded", folded, "--flame", flame, "--heap", heap,
             trace])
    check("--folded, --flame and --heap exit 0 and print nothing",
          r.returncode == 0 and r.stdout == "" and r.stderr == "", r)
    total, rows = 0, {}
    if not os.path.exists(folded):
        open(folded, "w").close()
    form = re.compile(r"^(\S(?:[^;\n]*;)*[^;\n]*) (\d+)$")
    with open(folded) as f:
        for line in f:
            m = form.match(line.rstrip("\n"))
            check(f"folded line {line!r} is 'frames count'", m is not None)
            if m:
                total += int(m[2])
                rows[m[1]] = rows.get(m[1], 0) + int(m[2])
    check(f"the folded stacks sum to the bytes allocated ({total} != {allocated})",
          total == allocated, r)
    table = [v for k, v in rows.items() if k.endswith(";main;make_table")]
    check(f"the table's 100000 bytes are under ...;main;make_table ({table})",
          table == [100000], r)
    check("no folded stack goes into the allocator",
          not any(k.split(";")[-1] in ("malloc", "calloc", "strdup", "__strdup")
                  for k in rows), r)

    for path, title in ((flame, "Bytes allocated by call stack"),
                        (heap, "Live bytes by allocating site")):
        try:
            document = xml.dom.minidom.parse(path)
            texts = ["".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
                     for t in document.getElementsByTagName("text")]
            titles = ["".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
                      for t in document.getElementsByTagName("title")]
        except Exception as e:  # not well-formed
            texts, titles = [f"{path}: {e}"], []
        check(f"{os.path.basename(path)} is SVG titled {title!r} ({texts[:1]})",
              bool(texts) and texts[0].startswith(title), r)
        names = " ".join(texts + titles)
        check(f"{os.path.basename(path)} names make_table", "make_table" in names, r)
    check("the flame graph's frames tell their bytes",
          "make_table at" in open(flame).read() and "(100000 bytes," in open(flame).read(), r)

    # Without stacks the trace still profiles: one site, no stack.
    bare = os.path.join(tmp, "bare.mmat")
    r = run([MMKIT, "trace", "--alloc", "-o", bare, "--", PROGRAM],
            env={"MMKIT_OPTIONS": "trace_stacks=0"})
    check("trace_stacks=0 traces", r.returncode == 0, r)
    check("the trace without stacks is smaller",
          os.path.getsize(bare) < os.path.getsize(trace), r)
    r = run([MMKIT, "trace", "--dump", "--summary", "--json", bare])
    bare_summary = json.loads(r.stdout or "{}")
    def bytes_and_blocks(totals):
        return totals.get("bytes"), totals.get("blocks")

    check("a trace without stacks says so, with the same peak",
          bare_summary.get("stacks") is False
          and bytes_and_blocks(bare_summary.get("peak", {})) == bytes_and_blocks(peak), r)

    # Format version 1: the same bytes as a trace without stacks but for
    # the version.
    with open(bare, "rb") as f:
        data = bytearray(f.read())
    data[8] = 1
    old = os.path.join(tmp, "version-1.mmat")
    with open(old, "wb") as f:
        f.write(data)
    r = run([MMKIT, "trace", "--dump", "--json", old])
    check("a version 1 trace reads back record by record",
          r.returncode == 0 and len(r.stdout.splitlines()) == len(records), r)
    r = run([MMKIT, "trace", "--dump", "--summary", "--json", old])
    check("a version 1 trace has its summary",
          r.returncode == 0 and json.loads(r.stdout or "{}").get("peak") == bare_summary["peak"], r)

if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print(f"ok: the heap profile names {len(lines)} sites and their bytes")
