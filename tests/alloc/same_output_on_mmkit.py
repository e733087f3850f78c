#!/usr/bin/env python3
"""Real programs print the same bytes with and without libmmkit preloaded.

Usage:
  same_output_on_mmkit.py LIBMMKIT [--options K=V,...] python|sqlite3|sort
  same_output_on_mmkit.py LIBMMKIT [--options K=V,...] -- PROGRAM [ARGS...]

Each program runs twice, on the C library's malloc and with LIBMMKIT in
LD_PRELOAD (and MMKIT_OPTIONS=verbose=1, whose start-up lines prove mmkit was
loaded; --options adds more).  Standard output and exit status must be identical, and standard
error too once mmkit's own lines are set aside (the options, and debug mode's note that its
budget of guarded blocks is spent).  Inputs are generated in a
temporary directory from a fixed seed.
"""
import os
import random
import shutil
import subprocess
import sys
import tempfile

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "alloc")


OPTIONS = ""


def run(cmd, preload, lib, stdin_path=None):
    env = dict(os.environ, LC_ALL="C")
    env.pop("LD_PRELOAD", None)
    env.pop("MMKIT_OPTIONS", None)
    if preload:
        env["LD_PRELOAD"] = lib
        env["MMKIT_OPTIONS"] = "verbose=1" + ("," + OPTIONS if OPTIONS else "")
    stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL
    try:
        return subprocess.run(cmd, stdin=stdin, capture_output=True, env=env, timeout=300)
    finally:
        if stdin_path:
            stdin.close()


def compare(cmd, lib, stdin_path=None):
    plain = run(cmd, False, lib, stdin_path)
    mm = run(cmd, True, lib, stdin_path)
    problems = []
    if plain.returncode != 0:
        problems.append(f"without mmkit the program failed ({plain.returncode}): "
                        f"{plain.stderr.decode(errors='replace')[-2000:]}")
    if mm.returncode != plain.returncode:
        problems.append(f"exit status {mm.returncode} on mmkit, {plain.returncode} without")
    err_lines = mm.stderr.decode(errors="replace").splitlines(keepends=True)
    own = [l for l in err_lines if l.startswith("mmkit: option ")]
    rest = "".join(l for l in err_lines if not l.startswith(("mmkit: option ", "mmkit: debug: ")))
    if not own:
        problems.append("no 'mmkit: option' lines on stderr: libmmkit was not loaded")
    if rest != plain.stderr.decode(errors="replace"):
        problems.append(f"stderr differs:\n--- on mmkit:\n{rest[-2000:]}\n"
                        f"--- without:\n{plain.stderr.decode(errors='replace')[-2000:]}")
    if mm.stdout != plain.stdout:
        at = next((i for i, (a, b) in enumerate(zip(mm.stdout, plain.stdout)) if a != b),
                  min(len(mm.stdout), len(plain.stdout)))
        problems.append(f"stdout differs at byte {at} ({len(mm.stdout)} bytes on mmkit, "
                        f"{len(plain.stdout)} without): on mmkit "
                        f"{mm.stdout[max(0, at - 80):at + 80]!r}, without "
                        f"{plain.stdout[max(0, at - 80):at + 80]!r}")
    if problems:
        print("FAIL: " + " ".join(cmd) + "\n" + "\n".join(problems))
        sys.exit(1)
    print(f"ok: {' '.join(cmd)}: {len(plain.stdout)} bytes of output, the same on mmkit")


def gen_sql(path, rng):
    with open(path, "w") as f:
        f.write("PRAGMA cache_size=2000;\nBEGIN;\n")
        f.write("CREATE TABLE city(id INTEGER PRIMARY KEY, name TEXT, country TEXT);\n")
        f.write("CREATE TABLE trip(id INTEGER PRIMARY KEY, city INTEGER, km REAL, note TEXT);\n")
        countries = ["".join(rng.choice("abcdefghij") for _ in range(5)) for _ in range(40)]
        for i in range(2000):
            name = "".join(rng.choice("klmnopqrstuvwxyz") for _ in range(rng.randint(3, 20)))
            f.write(f"INSERT INTO city VALUES({i},'{name}','{rng.choice(countries)}');\n")
        for i in range(60000):
            note = "x" * rng.randint(0, 300)
            f.write(f"INSERT INTO trip VALUES({i},{rng.randrange(2000)},"
                    f"{rng.randint(1, 100000) / 10},'{note}');\n")
        f.write("COMMIT;\nCREATE INDEX trip_city ON trip(city);\n")
        f.write("SELECT country, count(*), round(sum(km),1), max(length(note)) FROM trip "
                "JOIN city ON city.id = trip.city GROUP BY country ORDER BY country;\n")
        f.write("SELECT name, group_concat(trip.id, ';') FROM city JOIN trip ON trip.city = "
                "city.id WHERE city.id % 97 = 0 GROUP BY name ORDER BY name;\n")
        f.write("SELECT printf('%.3f', avg(km)), count(DISTINCT note) FROM trip;\n")
        f.write("UPDATE trip SET note = note || upper(note) WHERE id % 3 = 0;\n")
        f.write("DELETE FROM trip WHERE km < 500;\nVACUUM;\n")
        f.write("SELECT count(*), sum(length(note)) FROM trip;\n")
        f.write("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n WHERE i<20000) "
                "SELECT count(*), sum(length(hex(randomblob(0)) || i)) FROM n;\n")


def gen_sort_input(path, rng):
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 12)))
             for _ in range(5000)]
    with open(path, "w") as f:
        size = 0
        while size < 20 * 1024 * 1024:
            line = (f"{rng.choice(words)},{rng.randint(0, 10**9)},"
                    f"{' '.join(rng.choice(words) for _ in range(rng.randint(1, 8)))}\n")
            f.write(line)
            size += len(line)


def main():
    global OPTIONS
    args = sys.argv[1:]
    lib = args.pop(0)
    if args[0] == "--options":
        OPTIONS = args[1]
        args = args[2:]
    kind = args[0]
    rng = random.Random(20261122)
    with tempfile.TemporaryDirectory(prefix="mmkit-same-output-") as tmp:
        if kind == "python":
            compare([sys.executable, os.path.join(DATA, "dicts_lists_strings.py")], lib)
        elif kind == "sqlite3":
            sql = os.path.join(tmp, "trips.sql")
            gen_sql(sql, rng)
            sqlite = shutil.which("sqlite3")
            if not sqlite:
                print("FAIL: sqlite3 is not installed (scripts/deps.sh test installs it)")
                sys.exit(1)
            compare([sqlite, "-batch", ":memory:"], lib, stdin_path=sql)
        elif kind == "sort":
            data = os.path.join(tmp, "lines.txt")
            gen_sort_input(data, rng)
            compare(["sort", "-t,", "-k3,3", "-k2,2n", "-k1,1", data], lib)
        elif kind == "--":
            compare(args[1:], lib)
        else:
            print(f"unknown kind '{kind}'")
            sys.exit(2)


main()
