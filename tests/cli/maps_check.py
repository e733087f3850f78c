#!/usr/bin/env python3
"""maps_check.py MMKIT MAPS_PROGRAM CASE - `mmkit maps` on a program whose
layout is known (maps_program.c): 256 KiB of data, 2 MiB of bss, a 4 MiB
brk heap, 256 KiB of stack, a 256 KiB mapped file and an 8 MiB block, the
first half of each written.  Cases:

  layout  each region found with its role, its size to the page, and half
          of its pages resident (a page or two more for what the loader,
          libc and the stack's own frames touch)
  mmkit   under libmmkit, the block is an mmkit-huge region and the small
          blocks' segment an mmkit-segment
  run     `mmkit run --maps` prints libmmkit's regions beside its statistics
  exits   a process that exits while it is sampled: the samples and its
          last layout are reported, and nothing crashes
  interrupt  Ctrl-C ends the sampling of a PID, not the report: the layout
          then has its pages
  others  another user's process is refused with a message naming it
          (as root: mmkit run as nobody on this test's own process)
"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

MMKIT, PROGRAM, CASE = sys.argv[1:4]
KIB, PAGE = 1024, 4096
LIBMMKIT = os.path.join(os.path.dirname(os.path.abspath(MMKIT)), "libmmkit.so")
problems = []


def check(condition, what):
    if not condition:
        problems.append(what)


def maps_json(args, env=None):
    run = subprocess.run([MMKIT, "maps", "--json"] + args, capture_output=True, text=True,
                         env=env, timeout=120)
    if run.returncode != 0:
        sys.exit(f"FAIL: mmkit maps {' '.join(args)}: status {run.returncode}: {run.stderr}")
    return json.loads(run.stdout)


def by_role(document, role, path_end=None):
    return [r for r in document["regions"] if r["role"] == role
            and (path_end is None or r["path"].endswith(path_end))]


def total(regions, key):
    return sum(r.get(key, 0) for r in regions)


def check_role(document, role, size, least, most, resident, extra_pages, path_end=None):
    """The regions of `role` span least..most bytes, and `resident` pages
    of them (and at most extra_pages more) are resident."""
    regions = by_role(document, role, path_end)
    check(regions, f"no {role} region")
    span = total(regions, "size")
    check(least <= span <= most, f"{role}: {span} bytes, not {size} (from {least} to {most})")
    pages = total(regions, "resident_pages")
    check(resident <= pages <= resident + extra_pages,
          f"{role}: {pages} pages resident, not {resident} (up to {extra_pages} more)")
    return regions


def layout(work):
    doc = maps_json(["--", PROGRAM, os.path.join(work, "mapped")])
    check(doc["residency"], "pagemap was not read")
    text = by_role(doc, "text", os.path.basename(PROGRAM))
    check(text and all("x" in r["perms"] for r in text), "the program's text is not found")
    check_role(doc, "data", 256 * KIB, 256 * KIB, 256 * KIB + 3 * PAGE, 32, 2)
    check_role(doc, "bss", 2048 * KIB, 2048 * KIB, 2048 * KIB + 2 * PAGE, 256, 2)
    heap = check_role(doc, "heap", 4096 * KIB, 4096 * KIB, 4096 * KIB + 1024 * KIB, 512, 40)
    check(heap and heap[0]["cells"].startswith("#" * 8), "the heap's first half is not drawn resident")
    check_role(doc, "file", 256 * KIB, 256 * KIB, 256 * KIB, 32, 1, "/mapped")
    stack = by_role(doc, "stack")
    check(stack and total(stack, "rss") >= 256 * KIB, "the stack's 256 KiB are not resident")
    block = [r for r in by_role(doc, "anon") if 8192 * KIB <= r["size"] <= 8192 * KIB + 2 * PAGE]
    check(block, "the 8 MiB block is not an anonymous region of its own")
    check(block and 1024 <= total(block, "resident_pages") <= 1026,
          "half the 8 MiB block is not resident")


def mmkit(work):
    env = dict(os.environ, LD_PRELOAD=LIBMMKIT)
    doc = maps_json(["--", PROGRAM, os.path.join(work, "mapped")], env)
    huge = by_role(doc, "mmkit-huge")
    # Without mapping names the kernel may merge the block's mapping with
    # a neighbour of libmmkit's (its 256 KiB of heap records), and the
    # region is labelled by the block it holds: allow for that much more.
    extra = total(huge, "size") - 8192 * KIB
    check(huge and 0 <= extra <= 512 * KIB,
          f"no mmkit-huge region of 8 MiB: {[(r['start'], r['size']) for r in huge]}")
    check(huge and 1024 <= total(huge, "resident_pages") <= 1024 + 4 + extra // PAGE,
          "half the huge block is not resident")
    check(by_role(doc, "mmkit-segment"), "no mmkit-segment region")


def run(work):
    result = subprocess.run([MMKIT, "run", "--maps", "--", PROGRAM, os.path.join(work, "mapped")],
                            capture_output=True, text=True, timeout=120)
    check(result.returncode == 0, f"run --maps: status {result.returncode}: {result.stderr}")
    lines = result.stderr.splitlines()
    check(any(line.startswith("mmkit-huge ") for line in lines), "no mmkit-huge row")
    check(any(line.startswith("mmkit-segment ") for line in lines), "no mmkit-segment row")
    check("libmmkit at exit:" in lines, "no libmmkit section")
    check(any(line.startswith("  the allocator's statistics: mapped ") for line in lines),
          "no allocator's statistics")


def sampling(work):
    """A waiting program whose pages are all written, and mmkit sampling it
    once it has read some of its smaps (their bytes show in mmkit's rchar)."""
    program = subprocess.Popen([PROGRAM, os.path.join(work, "mapped"), "--wait"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if program.stdout.readline() != "ready\n":
        sys.exit("FAIL: the program did not get ready")
    maps = subprocess.Popen([MMKIT, "maps", "--json", "--every", "5ms", str(program.pid)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(f"/proc/{maps.pid}/io") as io:
            if int(io.readline().split()[1]) > 16 * KIB:
                break
        time.sleep(0.01)
    return program, maps


def interrupt(work):
    program, maps = sampling(work)
    maps.send_signal(signal.SIGINT)
    out, err = maps.communicate(timeout=120)
    program.stdin.close()
    program.wait()
    check(maps.returncode == 0, f"status {maps.returncode}: {err}")
    doc = json.loads(out)
    check(doc["residency"], "the layout after Ctrl-C has no pages")
    check(len(doc["samples"]) >= 1, "no samples")
    check_role(doc, "bss", 2048 * KIB, 2048 * KIB, 2048 * KIB + 2 * PAGE, 256, 2)


def exits(work):
    program, maps = sampling(work)
    program.stdin.close()
    program.wait()
    out, err = maps.communicate(timeout=120)
    check(maps.returncode == 0, f"status {maps.returncode}: {err}")
    check(f"process {program.pid} exited after" in err, f"the exit is not said: {err!r}")
    doc = json.loads(out)
    check(doc["pid"] == program.pid and by_role(doc, "bss"), "the last layout is not reported")
    check(len(doc["samples"]) >= 1, "no samples")


def others(work):
    if os.geteuid() == 0:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", MMKIT, "maps",
                   str(os.getpid())]
        target = os.getpid()
    else:
        owners = {int(p): os.stat(f"/proc/{p}").st_uid for p in os.listdir("/proc") if p.isdigit()}
        target = next((p for p, uid in owners.items() if uid != os.getuid()), None)
        if target is None:
            print("others: skipped: no process of another user")
            sys.exit(77)
        command = [MMKIT, "maps", str(target)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    check(result.returncode == 1, f"status {result.returncode}, not 1")
    check(result.stderr.startswith(f"mmkit: maps: process {target}: cannot read its memory map: "),
          f"the message does not name the process: {result.stderr!r}")


with tempfile.TemporaryDirectory() as work:
    {"layout": layout, "mmkit": mmkit, "run": run, "exits": exits, "interrupt": interrupt,
     "others": others}[CASE](work)
for problem in problems:
    print(f"FAIL {CASE}: {problem}")
print(f"{CASE}: {'ok' if not problems else 'failed'}")
sys.exit(1 if problems else 0)
