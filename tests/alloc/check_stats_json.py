#!/usr/bin/env python3
"""The JSON statistics parse, carry every field under the struct's names, and
say the same as mmkit_stats_get.  Usage: check_stats_json.py PROBE"""
import json
import subprocess
import sys

CLASS_KEYS = ["block_size", "allocs", "frees", "live_bytes", "peak_bytes"]
LARGE_KEYS = ["allocs", "frees", "live_bytes", "peak_bytes"]
TOP_KEYS = ["mapped_bytes", "peak_mapped_bytes", "committed_bytes", "peak_committed_bytes",
            "returned_bytes", "mmap_calls", "munmap_calls", "madvise_calls", "threads_live",
            "heaps_reclaimed"]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def main():
    out = subprocess.run([sys.argv[1]], capture_output=True, text=True, check=True).stdout
    text, sep, rest = out.partition("\n----\n")
    if not sep:
        fail("probe output has no separator:\n" + out)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as e:
        fail(f"not valid JSON ({e}):\n{text}")
    if not isinstance(doc, dict):
        fail("the JSON is not one object")
    want = {}
    classes = []
    for line in rest.splitlines():
        parts = line.split()
        if parts[0] == "class":
            classes.append(dict(zip(CLASS_KEYS, map(int, parts[1:]))))
        else:
            want[parts[0]] = int(parts[1])

    for key in ["classes", "large"] + TOP_KEYS:
        if key not in doc:
            fail(f"key '{key}' missing; keys are {sorted(doc)}")
    for key in TOP_KEYS:
        if not isinstance(doc[key], int) or doc[key] != want[key]:
            fail(f"'{key}' is {doc[key]!r} in JSON, {want[key]} from mmkit_stats_get")
    for key in LARGE_KEYS:
        if doc["large"].get(key) != want["large_" + key]:
            fail(f"large.{key} is {doc['large'].get(key)!r}, want {want['large_' + key]}")
    if len(doc["classes"]) != len(classes):
        fail(f"{len(doc['classes'])} classes in JSON, {len(classes)} from mmkit_stats_get")
    for got, exp in zip(doc["classes"], classes):
        if got != exp:
            fail(f"class in JSON {got} differs from mmkit_stats_get {exp}")

    # the blocks the probe holds are there
    small = next(c for c in classes if c["block_size"] >= want["small_size"])
    live_small = want["small_count"] - want["small_count"] // 10
    if small["allocs"] < want["small_count"] or small["frees"] < want["small_count"] // 10:
        fail(f"class {small} does not count the probe's {want['small_count']} blocks")
    if small["live_bytes"] < live_small * small["block_size"]:
        fail(f"class {small} has less live than the probe's {live_small} blocks")
    if want["large_allocs"] < want["large_count"] or \
            want["large_live_bytes"] < want["large_count"] * want["large_size"]:
        fail("the probe's large blocks are not counted")
    for c in classes:
        if c["live_bytes"] != (c["allocs"] - c["frees"]) * c["block_size"]:
            fail(f"class {c}: live_bytes is not (allocs - frees) * block_size")
        if c["peak_bytes"] < c["live_bytes"]:
            fail(f"class {c}: peak below live")
    if want["committed_bytes"] > want["mapped_bytes"]:
        fail("more committed than mapped")
    print("ok: JSON statistics valid,", len(classes), "classes")


main()
