#!/usr/bin/env python3
"""outputs_keep_pipes.py MMKIT - a picture asked into a named pipe (or a
device such as /dev/null) is written into it, and the pipe is still a pipe
after: mmkit writes a file beside a regular output and renames it over, and
renaming over a pipe or a device would replace it for every program.
"""
import os
import stat
import subprocess
import sys
import tempfile
import threading


def main():
    mmkit = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder:
        pipe = os.path.join(folder, "picture.svg")
        os.mkfifo(pipe)
        received = []

        def read():
            with open(pipe, "rb") as f:
                received.append(f.read())

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        run = subprocess.run([mmkit, "sim", "--refs", "1,2,3,1,2,4", "--frames", "2",
                              "--svg", pipe], capture_output=True, text=True, timeout=60)
        reader.join(timeout=10)
        failures = []
        if run.returncode != 0:
            failures.append(f"mmkit sim exited {run.returncode}: {run.stderr.strip()}")
        if not stat.S_ISFIFO(os.stat(pipe).st_mode):
            failures.append("the pipe was replaced by a regular file")
        if not received or b"<svg" not in received[0]:
            failures.append("the picture did not come through the pipe")
        if sorted(os.listdir(folder)) != ["picture.svg"]:
            failures.append(f"files left beside the pipe: {os.listdir(folder)}")
    for failure in failures:
        print("FAIL", failure)
    if failures:
        sys.exit(1)
    print("ok: the picture went through the pipe, which is still a pipe")


if __name__ == "__main__":
    main()
