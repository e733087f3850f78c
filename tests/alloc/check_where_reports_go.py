#!/usr/bin/env python3
"""What libmmkit prints reaches the user, names its process, and never lands
in the program's own files; what it finds sets the exit status if asked.

  closed     a program that closes stderr at exit (as coreutils do) still
             gets its statistics and leak report on the original stderr; one
             that closes descriptors 0..1023 too (when its descriptor limit
             leaves room above them); one that closes every descriptor and
             opens files in their place never gets our text in them; one
             that redirects its stderr alone gets them where it sent it
  log-file   log_file=PATH takes everything printed, warnings too; with %p
             one file per process, across fork and exec, and none for a
             process that prints nothing; a file that cannot be opened is
             said once, and stderr kept
  exit-code  error_exitcode=N: exit N after an error reported with
             abort_on_error=0 or a leak; 0 without bugs; abort_on_error=1
             still aborts; each report names its process
  children   children=yes: a child started by the program runs on libmmkit
             too and prints its own statistics; children=no: libmmkit leaves
             LD_PRELOAD (only its own entry) and the child runs on its own
             malloc; each block names its process

Usage: check_where_reports_go.py PROBE MEMORY_BUGS LIBMMKIT SECTION"""
import os
import re
import resource
import subprocess
import sys
import tempfile

PROBE, BUGS, LIB, SECTION = sys.argv[1:5]
STATS = re.compile(r"mmkit statistics of process (\d+) \((.*)\)")
PROCESS = re.compile(r"  in process (\d+) \((.*)\)")
failures = []


def run(args, options, preload=LIB, limit_files=None):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "MMKIT_OPTIONS")}
    env["LD_PRELOAD"] = preload
    env["MMKIT_OPTIONS"] = options

    def raise_limit():
        if limit_files:
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            want = limit_files if hard == resource.RLIM_INFINITY else min(hard, limit_files)
            resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))

    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=60,
                          preexec_fn=raise_limit)


def check(what, ok, r=None, extra=""):
    if not ok:
        shown = "" if r is None else (f"\n  command: {' '.join(r.args)}\n  exit {r.returncode}"
                                      f"\n  stdout: {r.stdout[-1500:]!r}"
                                      f"\n  stderr: {r.stderr[-2500:]!r}")
        failures.append(what + shown + extra)


def read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return None


def stats_blocks(text):
    """(pid, program) of each statistics block in text."""
    return [(int(m[1]), m[2]) for m in map(STATS.fullmatch, (text or "").splitlines()) if m]


def pids(r):
    """The probe's `fork` command: name -> pid."""
    found = {}
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "pid":
            found[parts[1]] = int(parts[2])
    return found


def closed():
    r = run([PROBE, "close-stderr"], "stats=1,mode=debug")
    check("close-stderr: runs", r.returncode == 0 and r.stdout == "ran\n", r)
    check("close-stderr: statistics reach the original stderr, naming the process",
          [name for _, name in stats_blocks(r.stderr)] == ["reports_probe"], r)
    check("close-stderr: the leak report reaches the original stderr",
          "mmkit: detected memory leaks" in r.stderr
          and "SUMMARY: mmkit: 100 byte(s) leaked in 1 block(s)." in r.stderr.splitlines(), r)

    with tempfile.TemporaryDirectory() as work:
        own = os.path.join(work, "own")
        # room above 1023 if the hard limit allows it
        r = run([PROBE, "close-low", own], "stats=1,mode=debug", limit_files=4096)
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        room_above = max(soft, 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)) > 1024
        check("close-low: runs", r.returncode == 0, r)
        check("close-low: nothing of ours in the program's file", read(own) == "", r,
              f"\n  the file holds: {read(own)!r}")
        if room_above:
            check("close-low: statistics and leak report reach the original stderr",
                  len(stats_blocks(r.stderr)) == 1 and "mmkit: detected memory leaks" in r.stderr,
                  r)

        r = run([PROBE, "close-every", own], "stats=1,mode=debug")
        check("close-every: runs", r.returncode == 0, r)
        check("close-every: nothing of ours in the program's files", read(own) == "", r,
              f"\n  the file holds: {read(own)!r}")

        captured = os.path.join(work, "captured")
        r = run([PROBE, "redirect", captured], "stats=1,mode=debug")
        text = read(captured)
        check("redirect: statistics and leak report follow stderr where the program sent it",
              r.returncode == 0 and r.stderr == "" and len(stats_blocks(text)) == 1
              and "mmkit: detected memory leaks" in (text or ""), r, f"\n  captured: {text!r}")


def log_file():
    with tempfile.TemporaryDirectory() as work:
        r = run([PROBE, "fork"], f"stats=1,mode=debug,log_file={work}/log.%p")
        ids = pids(r)
        check("fork: runs", r.returncode == 0 and set(ids) == {"parent", "child", "exec"}, r)
        check("log_file: nothing on stderr", r.stderr == "", r)
        files = sorted(os.listdir(work))
        check("log_file=...%p: one file per process",
              files == sorted(f"log.{pid}" for pid in ids.values()), r, f"\n  files: {files}")
        for name, pid in ids.items():
            text = read(os.path.join(work, f"log.{pid}"))
            check(f"log_file=...%p: the {name}'s file holds its statistics, naming it",
                  stats_blocks(text) == [(pid, "reports_probe")], r, f"\n  log.{pid}: {text!r}")
            check(f"log_file=...%p: the {name}'s file holds its leak report, naming it",
                  text is not None and "mmkit: detected memory leaks" in text and
                  f"  in process {pid} (reports_probe)" in text.splitlines(), r,
                  f"\n  log.{pid}: {text!r}")

    with tempfile.TemporaryDirectory() as work:
        r = run([PROBE, "fork"], f"log_file={work}/quiet.%p")
        check("log_file: processes that print nothing leave no file",
              r.returncode == 0 and r.stderr == "" and os.listdir(work) == [], r,
              f"\n  files: {os.listdir(work)}")

    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "all.log")
        r = run([PROBE, "fork"], f"stats=1,log_file={log}")
        text = read(log)
        check("log_file without %p: every process appends to the one file",
              r.stderr == "" and sorted(p for p, _ in stats_blocks(text)) ==
              sorted(pids(r).values()), r, f"\n  log: {text!r}")

    with tempfile.TemporaryDirectory() as work:
        log = os.path.join(work, "w.log")
        r = run([PROBE, "ok"], f"bogus=1,verbose=1,log_file={log},stats=1")
        text = read(log) or ""
        check("log_file: warnings, options and statistics go to the file, not stderr",
              r.stderr == "" and "mmkit: warning: MMKIT_OPTIONS: unknown option 'bogus'" in text
              and f"mmkit: option log_file={log}" in text.splitlines()
              and len(stats_blocks(text)) == 1, r, f"\n  log: {text!r}")

    with tempfile.TemporaryDirectory() as work:
        missing = os.path.join(work, "missing", "x.log")
        r = run([PROBE, "ok"], f"log_file={missing},stats=1")
        lines = r.stderr.splitlines()
        check("log_file that cannot be opened: said once on stderr, then stderr is kept",
              len(lines) > 1 and re.fullmatch(
                  rf"mmkit: warning: log_file={re.escape(missing)}: cannot open it: "
                  r"No such file or directory; printing on stderr", lines[0])
              and sum("log_file" in l for l in lines) == 1 and len(stats_blocks(r.stderr)) == 1,
              r)

    with tempfile.TemporaryDirectory() as work:
        own, log = os.path.join(work, "own"), os.path.join(work, "closed.log")
        r = run([PROBE, "close-every", own], f"stats=1,mode=debug,log_file={log}")
        text = read(log)
        check("log_file: a program that closes every descriptor still reaches the file",
              r.returncode == 0 and read(own) == "" and len(stats_blocks(text)) == 1
              and "mmkit: detected memory leaks" in (text or ""), r,
              f"\n  log: {text!r}\n  own: {read(own)!r}")


def exit_code():
    def expect(bug, options, status, survived=True):
        r = run([BUGS, bug], options)
        check(f"{bug} [{options}]: exit {status}", r.returncode == status, r)
        if survived:
            check(f"{bug} [{options}]: the program's output is all there",
                  r.stdout == "survived\n", r)
        return r

    r = expect("double_free_small", "mode=hardened,abort_on_error=0,error_exitcode=23", 23)
    check("the report names its process", any(
        m and m[2] == "memory_bugs" for m in map(PROCESS.fullmatch, r.stderr.splitlines())), r)
    expect("double_free_small", "mode=debug,abort_on_error=0,leaks=0,error_exitcode=23", 23)
    expect("double_free_small", "mode=hardened,abort_on_error=0", 0)
    expect("double_free_small", "mode=hardened,error_exitcode=23", -6, survived=False)
    r = expect("leak", "mode=debug,error_exitcode=23", 23)
    check("the leak report names its process", any(
        m and m[2] == "memory_bugs" for m in map(PROCESS.fullmatch, r.stderr.splitlines())), r)
    expect("leak", "mode=debug,leaks=2,error_exitcode=23", 23)
    expect("leak", "mode=debug", 0)
    expect("ok", "mode=debug,error_exitcode=23", 0)
    expect("ok", "mode=debug,leaks=2,error_exitcode=23", 0)


def children():
    LINK = os.path.join(os.path.dirname(LIB), "libmmkit.so")
    # dash ends with _exit, and prints no statistics: ls, which exits, does
    show = 'ls / >/dev/null; echo "preload=$LD_PRELOAD"'
    for options, preload, runs_on_mmkit, shown in [
            ("stats=1", LIB, True, LIB),
            ("stats=1,children=yes", f"{LIB}:libc.so.6", True, f"{LIB}:libc.so.6"),
            ("stats=1,children=no", LIB, False, ""),
            ("stats=1,children=no", f"libc.so.6 {LIB}", False, "libc.so.6"),
            ("stats=1,children=no", f"{LIB}:libc.so.6", False, "libc.so.6"),
            # a symbolic link to the library, as `mmkit run` preloads it
            ("stats=1,children=no", f"{LINK}:libc.so.6", False, "libc.so.6")]:
        r = run([PROBE, "spawn", show], options, preload=preload)
        blocks = stats_blocks(r.stderr)
        names = sorted(name for _, name in blocks)
        want = ["ls", "reports_probe"] if runs_on_mmkit else ["reports_probe"]
        check(f"[{options}, LD_PRELOAD={preload}] one statistics block per process on mmkit, "
              f"each naming it", r.returncode == 0 and names == want
              and len({pid for pid, _ in blocks}) == len(blocks), r)
        check(f"[{options}, LD_PRELOAD={preload}] the child's LD_PRELOAD is {shown!r}",
              f"preload={shown}" in r.stdout.splitlines(), r)


{"closed": closed, "log-file": log_file, "exit-code": exit_code, "children": children}[SECTION]()
if failures:
    sys.exit(f"{len(failures)} failure(s):\n" + "\n".join(f"- {f}" for f in failures))
print(f"ok: {SECTION}")
