#!/usr/bin/env python3
"""`mmkit run` runs a program on libmmkit and returns its exit status;
--stats prints statistics at exit, --options sets options, --help helps.
Usage: mmkit_run_behaves.py MMKIT RUN_PROBE"""
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

MMKIT, PROBE = sys.argv[1], sys.argv[2]
failures = []


def run(args):
    env = dict(os.environ)
    for var in ("LD_PRELOAD", "MMKIT_OPTIONS"):
        env.pop(var, None)
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60)


def check(what, ok, r):
    if not ok:
        failures.append(f"{what}\n  command: {' '.join(r.args)}\n  exit {r.returncode}\n"
                        f"  stdout: {r.stdout[-1500:]!r}\n  stderr: {r.stderr[-1500:]!r}")


r = run([PROBE, "0"])
check("the probe alone is not on mmkit", r.returncode == 0 and "not on mmkit" in r.stdout, r)

r = run([MMKIT, "run", "--help"])
check("'mmkit run --help' exits 0 and shows usage",
      r.returncode == 0 and "usage" in r.stdout.lower(), r)

r = run([MMKIT, "run", "--", PROBE, "0"])
check("the program runs on mmkit", r.returncode == 0 and "\non mmkit" in "\n" + r.stdout, r)
lib = [l[4:] for l in r.stdout.splitlines() if l.startswith("lib ")]
beside = os.path.join(os.path.dirname(os.path.abspath(MMKIT)), "libmmkit.so")
check("the library comes from next to the mmkit command",
      lib and os.path.realpath(lib[0]) == os.path.realpath(beside), r)
check("without --stats nothing is printed on stderr", r.stderr == "", r)

for status in (1, 7, 42):
    r = run([MMKIT, "run", "--", PROBE, str(status)])
    check(f"exit status {status} is passed on", r.returncode == status, r)
r = run([MMKIT, "run", "--", "sh", "-c", "exit 3"])
check("a shell's exit status 3 is passed on", r.returncode == 3, r)

r = run([MMKIT, "run", "--", "sh", "-c", 'printf "%s|" "$@"', "sh", "a b", "", "--stats", "c"])
check("arguments reach the program as given", r.returncode == 0 and r.stdout == "a b||--stats|c|", r)

r = run([MMKIT, "run", "--stats", "--", PROBE, "5"])
check("--stats keeps the exit status", r.returncode == 5, r)
check("--stats prints statistics on stderr", len(r.stderr.strip().splitlines()) >= 2, r)
check("--stats leaves stdout to the program", r.stdout.startswith("on mmkit"), r)

r = run([MMKIT, "run", "--stats-json", "--", PROBE, "0"])
try:
    doc = json.loads(r.stderr)
    check("--stats-json prints the statistics' keys",
          r.returncode == 0 and {"classes", "large", "mapped_bytes"} <= set(doc), r)
except json.JSONDecodeError as e:
    check(f"--stats-json prints one JSON object on stderr ({e})", False, r)

r = run([MMKIT, "run", "--options", "verbose=1,mmap_threshold=64K", "--", PROBE, "0"])
check("--options reach the library", "mmap_threshold 65536" in r.stdout, r)
check("--options verbose=1 lists options",
      "mmkit: option mmap_threshold=65536" in r.stderr.splitlines(), r)

# malloc_info writes well-formed XML
r = run([MMKIT, "run", "--", PROBE, "0", "malloc_info"])
xml_text = r.stdout.partition("malloc_info:\n")[2]
try:
    root = ElementTree.fromstring(xml_text)
    check("malloc_info's XML has a <malloc> root", root.tag == "malloc", r)
except ElementTree.ParseError as e:
    check(f"malloc_info writes well-formed XML ({e})", False, r)

# options are read at start-up, also by a program that never allocates
r = run([MMKIT, "run", "--options", "verbose=1", "--", "true"])
check("verbose=1 lists options for a program that does not allocate",
      r.returncode == 0 and "mmkit: option verbose=1" in r.stderr.splitlines(), r)

r = run([MMKIT, "run", "--", "/nonexistent/program"])
check("a missing program is an error with a message", r.returncode != 0 and r.stderr != "", r)
r = run([MMKIT, "run"])
check("no program is a usage error", r.returncode != 0 and r.stderr != "", r)

if failures:
    print("FAIL:\n" + "\n".join(failures))
    sys.exit(1)
print("ok: mmkit run")
