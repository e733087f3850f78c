#!/usr/bin/env python3
"""Valgrind's memcheck reports the same errors in a program running on mmkit
as in the same program on the C library's malloc.

Usage: memcheck_sees_same_errors.py LIBMMKIT MEMCHECK_BUGS

MEMCHECK_BUGS has one memory bug per subcommand.  Each runs under memcheck
twice: on its own malloc and with LIBMMKIT preloaded.  memcheck replaces
every malloc it finds, mmkit's too, unless told not to with
--soname-synonyms=somalloc=nouseroverride; then the blocks it checks are
mmkit's, which mmkit describes to it.  The error headlines ("Invalid read
of size 1", "... definitely lost") and the descriptions of the addresses
("0 bytes after a block of size 100 alloc'd") must be the same, in the same
order.  The stacks differ (mmkit's frames come first) and are not compared.
"""
import os
import re
import subprocess
import sys

LIB, BUGS = sys.argv[1], sys.argv[2]
VALGRIND = ["valgrind", "--soname-synonyms=somalloc=nouseroverride", "--error-exitcode=99",
            "--leak-check=full", "-q"]
BUG_KINDS = ["overflow_read", "overflow_write", "underflow_write", "use_after_free_read",
             "use_after_free_write", "uninit", "double_free", "invalid_free_middle",
             "realloc_freed", "leak"]
# memcheck shows no stack of the block for an uninitialised value.
NO_BLOCK_STACK = {"uninit"}

PID = r"^==\d+== +"
HEADLINES = [
    re.compile(PID + r"(Invalid (?:read|write) of size \d+)$"),
    re.compile(PID + r"(Conditional jump or move depends on uninitialised value\(s\))$"),
    re.compile(PID + r"(Use of uninitialised value of size \d+)$"),
    re.compile(PID + r"(Invalid free\(\) / delete / delete\[\] / realloc\(\))$"),
    re.compile(PID + r"(Mismatched free\(\) / delete / delete \[\])$"),
    re.compile(PID + r"(Syscall param .*)$"),
    re.compile(PID + r"(\S+ bytes in \S+ blocks are (?:definitely|possibly) lost)"),
    re.compile(PID + r"Address 0x[0-9a-f]+ (is .*)$"),
]
failures = []


def errors(stderr):
    found = []
    for line in stderr.splitlines():
        for pattern in HEADLINES:
            m = pattern.match(line)
            if m:
                found.append(m.group(1))
                break
    return found


def run(kind, on_mmkit, options="verbose=1"):
    env = dict(os.environ, LC_ALL="C")
    env.pop("LD_PRELOAD", None)
    env.pop("MMKIT_OPTIONS", None)
    if on_mmkit:
        env["LD_PRELOAD"] = LIB
        env["MMKIT_OPTIONS"] = options
    return subprocess.run(VALGRIND + [BUGS, kind], capture_output=True, text=True, env=env,
                          timeout=120)


def check(what, ok, *runs):
    if not ok:
        shown = "".join(f"\n  command: {' '.join(r.args)}\n  exit {r.returncode}\n"
                        f"  stderr: {r.stderr[-2500:]}" for r in runs)
        failures.append(what + shown)


def on_mmkit_for_real(kind, r):
    """mmkit started, saw memcheck and wrote no report of its own."""
    check(f"{kind}: mmkit knows it runs under memcheck",
          "mmkit: running under memcheck" in r.stderr, r)
    check(f"{kind}: mmkit reports nothing itself",
          "mmkit: error" not in r.stderr and "SUMMARY: mmkit" not in r.stderr, r)


for kind in BUG_KINDS:
    plain, mmkit = run(kind, False), run(kind, True)
    on_mmkit_for_real(kind, mmkit)
    expected = errors(plain.stderr)
    check(f"{kind}: memcheck finds the bug on its own malloc", plain.returncode == 99 and expected,
          plain)
    check(f"{kind}: memcheck reports the same on mmkit: {expected} vs {errors(mmkit.stderr)}",
          mmkit.returncode == 99 and errors(mmkit.stderr) == expected, plain, mmkit)
    check(f"{kind}: the program prints the same", mmkit.stdout == plain.stdout, plain, mmkit)
    if kind not in NO_BLOCK_STACK:
        check(f"{kind}: the block memcheck describes is mmkit's (libmmkit in its stack)",
              "libmmkit" in mmkit.stderr and "libmmkit" not in plain.stderr, mmkit)

# A correct program: no error, also when freed blocks leave a small
# quarantine at once and their memory is reused.
plain = run("ok", False)
check("ok: no error on its own malloc", plain.returncode == 0 and not errors(plain.stderr), plain)
for options in ("verbose=1", "verbose=1,quarantine=64K"):
    mmkit = run("ok", True, options)
    on_mmkit_for_real(f"ok ({options})", mmkit)
    check(f"ok ({options}): no error on mmkit",
          mmkit.returncode == 0 and not errors(mmkit.stderr) and mmkit.stdout == plain.stdout,
          mmkit)

if failures:
    print("\n\n".join(failures))
    sys.exit(1)
print(f"memcheck reports the same on mmkit for {len(BUG_KINDS)} bugs, and nothing for a "
      "correct program")
