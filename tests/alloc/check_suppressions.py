#!/usr/bin/env python3
"""suppressions=FILE: a leak or an error whose stacks have a frame that a
rule of the file names (its function, source file or library) is not
reported; the leak report lists the rules used with what they hid, and its
summary counts the suppressed bytes and blocks, which do not count for
error_exitcode.

  leaks      two leaks from two functions and a rule naming one: the report
             shows exactly the other; rules by library name and source
             file; '*', '^' and '$'; a suppressed leak takes the blocks only
             it reaches along; JSON; error_exitcode
  errors     a double free named by a double_free: rule is neither reported
             nor counted for error_exitcode, with abort_on_error=0 or 1, in
             debug and hardened mode; a rule of another kind does not hide it
  bad-lines  a line that is not a rule is said once, naming the file and the
             line, and the other rules apply; a missing file is said once

Usage: check_suppressions.py SUPPRESSED_BUGS LIBMMKIT SECTION"""
import json
import os
import re
import subprocess
import sys
import tempfile

BUGS, LIB, SECTION = sys.argv[1:4]
GROUP = re.compile(r"(Direct|Indirect) leak of (\d+) byte\(s\) in (\d+) block\(s\) allocated at:")
USED = re.compile(r"\s+(\d+)\s+(\d+|-)\s+(\S.*)")
failures = []
work = tempfile.mkdtemp(prefix="mmkit-supp-")


def rules_file(text, name="rules.supp"):
    path = os.path.join(work, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def run(case, options, rules=None, command=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "MMKIT_OPTIONS")}
    if command is None:
        env["LD_PRELOAD"] = LIB
        if rules is not None:
            options += ",suppressions=" + rules_file(rules)
        command = [BUGS, case]
    env["MMKIT_OPTIONS"] = options
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, cwd=cwd)


def check(what, ok, r=None):
    if not ok:
        shown = "" if r is None else (f"\n    command: {' '.join(r.args)}\n    exit {r.returncode}"
                                      f"\n    stderr: {r.stderr[-3000:]!r}")
        failures.append(what + shown)


def report(r):
    """The leak groups, each as (kind, bytes, blocks, [its stack's lines]),
    the rules used as {rule: (count, bytes)}, and the SUMMARY line."""
    groups, used, summary, table = [], {}, None, False
    for line in r.stderr.splitlines():
        m = GROUP.fullmatch(line)
        if m:
            groups.append((m[1], int(m[2]), int(m[3]), []))
            table = False
        elif line == "Suppressions used:":
            table = True
        elif line.startswith("SUMMARY: mmkit: "):
            summary = line
            table = False
        elif table and USED.fullmatch(line) and not line.strip().startswith("count"):
            m = USED.fullmatch(line)
            used[m[3]] = (int(m[1]), m[2])
        elif line.startswith("    #") and groups:
            groups[-1][3].append(line)
    return groups, used, summary


def expect_leaks(what, case, rules, shown, used, hidden_functions=(), options="mode=debug"):
    """The report lists the groups `shown`, (kind, bytes, blocks, a function
    of its stack), no group names a function of `hidden_functions`, the rules
    used are `used` ({rule: (count, bytes)}), and the summary counts both."""
    r = run(case, options, rules)
    check(f"{what}: the program runs to its end", r.returncode == 0 and "survived" in r.stdout, r)
    check(f"{what}: no error is reported", "mmkit: error" not in r.stderr, r)
    groups, found_used, summary = report(r)
    want = sorted(g[:3] for g in shown)
    check(f"{what}: leak groups {sorted(g[:3] for g in groups)}, expected {want}",
          sorted(g[:3] for g in groups) == want, r)
    for kind, size, blocks, function in shown:
        check(f"{what}: the {size}-byte group names {function}",
              any(g[1] == size and any(f" in {function} " in l for l in g[3]) for g in groups), r)
    for function in hidden_functions:
        check(f"{what}: no group names {function}",
              not any(f" in {function} " in l for g in groups for l in g[3]), r)
    check(f"{what}: rules used {found_used}, expected {used}",
          found_used == {k: (v[0], str(v[1])) for k, v in used.items()}, r)
    leaked = (sum(g[1] for g in shown), sum(g[2] for g in shown))
    hid = (sum(v[1] for v in used.values()), sum(v[0] for v in used.values()))
    line = f"SUMMARY: mmkit: {leaked[0]} byte(s) leaked in {leaked[1]} block(s)"
    line += f"; {hid[0]} byte(s) in {hid[1]} block(s) suppressed." if hid[1] else "."
    check(f"{what}: the summary is {line!r}", summary == line, r)
    check(f"{what}: 'detected memory leaks' only when a leak is shown",
          bool(re.search(r"^==\d+== mmkit: detected memory leaks$", r.stderr, re.M)) == bool(shown), r)
    return r


def leaks():
    parser = ("Direct", 80, 2, "leak_from_parser")
    cache = ("Direct", 72, 1, "leak_from_cache")
    # without rules, both; a rule naming one function hides exactly that one
    expect_leaks("no rules", "two_leaks", None, [parser, cache], {})
    expect_leaks("a rule naming leak_from_parser", "two_leaks",
                 "# leaks we know of\n\n   leak:leak_from_parser   \n", [cache],
                 {"leak:leak_from_parser": (2, 80)}, ["leak_from_parser"])
    for options in ["mode=fast,leaks=1", "mode=hardened,leaks=1", "mode=debug,guard=all"]:
        expect_leaks(f"[{options}] a rule naming leak_from_cache", "two_leaks",
                     "leak:leak_from_cache\n", [parser], {"leak:leak_from_cache": (1, 72)},
                     ["leak_from_cache"], options)
    # '*' matches any run of characters; a pattern matches anywhere in a
    # name unless '^' anchors it to the start or '$' to the end
    for rule, hides in [("^leak_from_pars", "parser"), ("parser$", "parser"),
                        ("leak_*_cache", "cache"), ("from_cache", "cache"),
                        ("^leak_from_*$", "both"), ("^eak_from_parser", None), ("pars$", None),
                        ("^leak_from_cache$x", None), ("*", "both")]:
        shown = {"parser": [cache], "cache": [parser], "both": [], None: [parser, cache]}[hides]
        used = {"parser": {f"leak:{rule}": (2, 80)}, "cache": {f"leak:{rule}": (1, 72)},
                "both": {f"leak:{rule}": (3, 152)}, None: {}}[hides]
        expect_leaks(f"the rule leak:{rule}", "two_leaks", f"leak:{rule}\n", shown, used)
    # the first rule that matches is the one counted
    expect_leaks("two rules", "two_leaks", "leak:leak_from_cache\nleak:leak_from\n", [],
                 {"leak:leak_from_cache": (1, 72), "leak:leak_from": (2, 80)})
    # by library: its path or its file name; by source file
    program = ("Direct", 16, 1, "leak_in_program")
    expect_leaks("no rules, a library", "library_leak", None,
                 [program, ("Direct", 56, 1, "leaky_library_init")], {})
    for rule in ["libleaky.so", "^libleaky.so$", "*/libleaky.so", "leaky_library.c"]:
        expect_leaks(f"the rule leak:{rule}", "library_leak", f"leak:{rule}\n", [program],
                     {f"leak:{rule}": (1, 56)}, ["leaky_library_init"])
    # a suppressed leak takes along the blocks only it reaches; a block it
    # does not reach stays reported
    expect_leaks("no rules, a chain", "chain", None,
                 [("Direct", 48, 1, "leak_chain_head"), ("Indirect", 32, 1, "leak_chain_tail")], {})
    expect_leaks("the head of a chain", "chain", "leak:leak_chain_head\n", [],
                 {"leak:leak_chain_head": (2, 80)}, ["leak_chain_tail"])
    expect_leaks("the tail of a chain", "chain", "leak:leak_chain_tail\n",
                 [("Direct", 48, 1, "leak_chain_head")], {"leak:leak_chain_tail": (1, 32)})

    # suppressed leaks do not count for error_exitcode
    for rules, status in [("leak:leak_from_parser\n", 7), ("leak:leak_from\n", 0)]:
        r = run("two_leaks", "mode=debug,error_exitcode=7", rules)
        check(f"[{rules.strip()}] error_exitcode=7: exit {status}", r.returncode == status, r)

    # JSON: the totals, and the rules used
    r = run("two_leaks", "mode=debug,leaks=2", "leak:leak_from_parser\n")
    try:
        doc = json.loads(r.stderr)
    except json.JSONDecodeError as e:
        doc = {}
        check(f"leaks=2: stderr is one JSON object ({e})", False, r)
    check("leaks=2: 72 bytes in 1 block leaked, 80 bytes in 2 blocks suppressed",
          [doc.get(k) for k in ["leaked_bytes", "leaked_blocks", "suppressed_bytes",
                                "suppressed_blocks"]] == [72, 1, 80, 2], r)
    check("leaks=2: the rule used, with its counts",
          doc.get("suppressions") == [{"rule": "leak:leak_from_parser", "count": 2, "bytes": 80}], r)
    check("leaks=2: one group", [(l["bytes"], l["blocks"]) for l in doc.get("leaks", [])] == [(72, 1)], r)


def errors():
    rule = "double_free:free_twice"
    for options in ["mode=debug,abort_on_error=0", "mode=debug", "mode=hardened,abort_on_error=0",
                    "mode=hardened", "mode=debug,guard=all"]:
        r = run("double_free", options + ",error_exitcode=7", rule + "\n")
        check(f"[{options}] a suppressed double free: the program runs on, exit 0",
              r.returncode == 0 and "survived" in r.stdout, r)
        check(f"[{options}] a suppressed double free is not reported", "mmkit: error" not in r.stderr, r)
        check(f"[{options}] the rule is listed as used once, at exit",
              report(r)[1] == {rule: (1, "-")} and
              re.search(r"^==\d+== mmkit: suppressions used$", r.stderr, re.M), r)
    # without the rule, or with a rule of another kind, it is reported
    for rules in [None, "invalid_free:free_twice\nleak:free_twice\n", "double_free:no_such_function\n"]:
        r = run("double_free", "mode=debug,abort_on_error=0,error_exitcode=7", rules)
        check(f"[{rules!r}] the double free is reported, exit 7",
              r.returncode == 7 and re.search(r"^==\d+== mmkit: error: double free of 0x", r.stderr, re.M), r)
        check(f"[{rules!r}] no rule is listed as used", "Suppressions used:" not in r.stderr, r)


def bad_lines():
    rules = rules_file("# rules\nlek:leak_from_parser\nleak:\nno colon here\n\n"
                       "leak:leak_from_parser\ndouble_free :\n", "bad.supp")
    r = run("two_leaks", "mode=debug,suppressions=" + rules)
    warnings = [l for l in r.stderr.splitlines() if l.startswith("mmkit: warning:")]
    want = [re.escape(f"mmkit: warning: {rules}:{n}: ") + what for n, what in [
        (2, r"unknown kind 'lek' \(leak, double_free, .*\); the line is ignored"),
        (3, r"no pattern after 'leak:'; the line is ignored"),
        (4, r"not KIND:PATTERN; the line is ignored"),
        (7, r"no pattern after 'double_free:'; the line is ignored")]]
    check(f"bad lines: one warning each, naming the file and the line ({len(warnings)} found)",
          len(warnings) == len(want) and all(re.fullmatch(w, l) for w, l in zip(want, warnings)), r)
    groups = report(r)[0]
    check("bad lines: the good rule still applies",
          sorted(g[:3] for g in groups) == [("Direct", 72, 1)], r)
    missing = os.path.join(work, "missing.supp")
    r = run("two_leaks", "mode=debug,suppressions=" + missing)
    check("a missing file is said once, and nothing is suppressed",
          r.stderr.count(f"mmkit: warning: suppressions={missing}: cannot open it: "
                         "No such file or directory; nothing is suppressed\n") == 1 and
          len(report(r)[0]) == 2, r)


{"leaks": leaks, "errors": errors, "bad-lines": bad_lines}[SECTION]()
if failures:
    sys.exit(f"{len(failures)} failure(s):\n" + "\n".join(f"- {f}" for f in failures))
print(f"suppressions: {SECTION} ok")
