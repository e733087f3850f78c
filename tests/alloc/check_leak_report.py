#!/usr/bin/env python3
"""The leak report at exit counts exactly the blocks a program lost.

`memory_bugs leak` loses three blocks of 100 bytes from one call site and
one of 24 bytes from another: 324 bytes in 4 blocks, all direct leaks, in
one group per call site.  `memory_bugs leak_chain` loses a block of 48
bytes that points to one of 32: one direct and one indirect group; so does
`memory_bugs leak_chain_tail_first`, whose tail lies before its head in
memory, and `memory_bugs leak_cycle` loses two 64-byte blocks pointing at
each other, one reported as a direct leak and the other as an indirect one.
`memory_bugs ok` loses nothing, nor does `memory_bugs
pool_destroyed_with_blocks`, whose blocks go with the pool that held them.  The debug mode reports leaks by default;
leaks=1 asks for the text report in the other modes, leaks=2 for one JSON
object instead.  Guarded blocks are listed as any other.
Usage: check_leak_report.py MEMORY_BUGS LIBMMKIT"""
import json
import os
import re
import subprocess
import sys

DRIVER, LIBMMKIT = sys.argv[1], sys.argv[2]
GROUP = re.compile(r"(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) block\(s\) allocated at:")
failures = []


def run(program, options):
    env = {k: v for k, v in os.environ.items() if k != "MMKIT_OPTIONS"}
    env["LD_PRELOAD"] = LIBMMKIT
    env["MMKIT_OPTIONS"] = options
    r = subprocess.run([DRIVER, program], capture_output=True, text=True, env=env, timeout=60)
    if r.returncode != 0 or "survived" not in r.stdout.splitlines() or "mmkit: error" in r.stderr:
        fail(program, options, "the program must run to its end with no error", r)
    return r


def fail(program, options, what, r):
    failures.append(f"{program} [{options}]: {what}\n    exit {r.returncode}"
                    f"\n    stderr: {r.stderr[:3000]!r}")


def expect_text(program, options, groups):
    """The text report lists `groups`, (kind, bytes, blocks) in any order,
    and a summary of their totals."""
    r = run(program, options)
    lines = r.stderr.splitlines()
    found = sorted((m[1], int(m[2]), int(m[3])) for m in map(GROUP.fullmatch, lines) if m)
    if found != sorted(groups):
        fail(program, options, f"leak groups {found}, expected {sorted(groups)}", r)
    total_bytes = sum(g[1] for g in groups)
    total_blocks = sum(g[2] for g in groups)
    summary = f"SUMMARY: mmkit: {total_bytes} byte(s) leaked in {total_blocks} block(s)."
    if summary not in lines:
        fail(program, options, f"no line {summary!r}", r)
    if sum(g[1] for g in found) != total_bytes or sum(g[2] for g in found) != total_blocks:
        fail(program, options, "the groups do not add up to the summary", r)
    if not any(re.fullmatch(r"==\d+== mmkit: detected memory leaks", l) for l in lines):
        fail(program, options, "no line '==PID== mmkit: detected memory leaks'", r)


def expect_json(program, options, groups, function):
    """leaks=2: one JSON object on stderr with `groups` and their totals;
    each group's frames name `function` (None: no groups)."""
    r = run(program, options)
    objects = [l for l in r.stderr.splitlines() if l.startswith("{")]
    if len(objects) != 1 or len(r.stderr.splitlines()) != 1:
        fail(program, options, "stderr must be one line, a JSON object", r)
        return
    try:
        report = json.loads(objects[0])
    except json.JSONDecodeError as e:
        fail(program, options, f"not JSON: {e}", r)
        return
    want = (sum(g[1] for g in groups), sum(g[2] for g in groups))
    if (report.get("leaked_bytes"), report.get("leaked_blocks")) != want:
        fail(program, options, f"totals are not {want}", r)
    leaks = report.get("leaks", [])
    found = sorted((l["kind"].capitalize(), l["bytes"], l["blocks"]) for l in leaks)
    if found != sorted(groups):
        fail(program, options, f"leak groups {found}, expected {sorted(groups)}", r)
    for leak in leaks:
        if not any(f.get("function") == function for f in leak.get("frames", [])):
            fail(program, options, f"a group's frames do not name {function}", r)


# Guarded blocks (guard=all; sample mode's, every one with sample_rate=1)
# live outside the heap's segments, and count as any other.
GUARDED = ["mode=debug,guard=all", "mode=sample,sample_rate=1,leaks=1"]

LOST = [("Direct", 300, 3), ("Direct", 24, 1)]
for options in ["mode=debug", "mode=fast,leaks=1", "mode=hardened,leaks=1"] + GUARDED:
    expect_text("leak", options, LOST)
for options in ["mode=debug,leaks=2", "mode=fast,leaks=2", "mode=debug,guard=all,leaks=2"]:
    expect_json("leak", options, LOST, "lose_blocks")

CHAIN = [("Direct", 48, 1), ("Indirect", 32, 1)]
for options in ["mode=debug"] + GUARDED:
    expect_text("leak_chain", options, CHAIN)
expect_json("leak_chain", "mode=debug,leaks=2", CHAIN, "lose_chain")
for options in ["mode=debug"] + GUARDED:
    expect_text("leak_chain_tail_first", options, CHAIN)
    expect_text("leak_cycle", options, [("Direct", 64, 1), ("Indirect", 64, 1)])

for program in ["ok", "pool_destroyed_with_blocks"]:
    for options in ["mode=debug"] + GUARDED:
        r = run(program, options)
        if "mmkit:" in r.stderr:
            fail(program, options, "a correct program has no leak to report", r)
expect_json("ok", "mode=debug,leaks=2", [], None)

if failures:
    sys.exit(f"{len(failures)} failure(s):\n" + "\n".join(f"- {f}" for f in failures))
print("leak reports are exact")
