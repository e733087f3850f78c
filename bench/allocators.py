"""The allocators compared: the system's glibc, the peers from Debian's
packages, and mmkit from the build directory.

A peer is found by its soname through the dynamic linker's cache (`ldconfig
-p`), or failing that in the multiarch library directories, so that no path
of one machine is written down here.  A peer that is not installed is
skipped with a note, not an error.
"""

import os
import re
import subprocess
import sysconfig
from dataclasses import dataclass
from pathlib import Path

PEERS = [
    # name, soname, Debian package
    ("jemalloc", "libjemalloc.so.2", "libjemalloc2"),
    ("tcmalloc", "libtcmalloc_minimal.so.4", "libtcmalloc-minimal4"),
    ("mimalloc", "libmimalloc.so.2", "libmimalloc2.0"),
]
BASELINE = "mimalloc"
SYSTEM = "glibc"
TARGET = "mmkit"


@dataclass(frozen=True)
class Allocator:
    name: str
    # The library to preload, or None for the system allocator.
    library: str
    version: str
    # Peers are what the target is measured against.
    peer: bool = True


def _linker_cache():
    """soname -> path, from `ldconfig -p`, for this machine's word size."""
    try:
        listing = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True).stdout
    except OSError:
        try:
            listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True,
                                     text=True).stdout
        except OSError:
            return {}
    found = {}
    for line in listing.splitlines():
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and ("x86-64" in match.group(2)) == ("x86_64" in os.uname().machine):
            found.setdefault(match.group(1), match.group(3))
    return found


def _find_library(soname, cache):
    if soname in cache and os.path.exists(cache[soname]):
        return cache[soname]
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for directory in ("/usr/lib/" + multiarch, "/lib/" + multiarch, "/usr/lib", "/lib"):
        candidate = Path(directory) / soname
        if candidate.exists():
            return str(candidate)
    return None


def package_version(package):
    """The installed version of a Debian package, or 'unknown'."""
    try:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                                capture_output=True, text=True)
    except OSError:
        return "unknown"
    return result.stdout.strip() if result.returncode == 0 and result.stdout else "unknown"


def _glibc_version():
    version = os.confstr("CS_GNU_LIBC_VERSION") or "glibc"
    return "%s (libc6 %s)" % (version.replace("glibc ", ""), package_version("libc6"))


def discover(build_dir, wanted=None):
    """Returns (allocators, notes): every allocator available (restricted to
    the comma-separated names in `wanted`, if given) and a note for each one
    that had to be skipped."""
    cache = _linker_cache()
    candidates = [Allocator(SYSTEM, None, _glibc_version())]
    notes = []
    for name, soname, package in PEERS:
        library = _find_library(soname, cache)
        if library:
            candidates.append(Allocator(name, library, package_version(package)))
        else:
            notes.append("%s skipped: %s not found (install the Debian package %s)"
                         % (name, soname, package))
    mmkit = Path(build_dir).resolve() / "libmmkit.so"
    if mmkit.exists():
        candidates.append(Allocator(TARGET, str(mmkit), _mmkit_version(), peer=False))
    else:
        notes.append("%s skipped: %s does not exist (run `make build` first)"
                     % (TARGET, Path(build_dir) / "libmmkit.so"))

    if wanted:
        names = [n.strip() for n in wanted.split(",") if n.strip()]
        known = [SYSTEM, TARGET] + [p[0] for p in PEERS]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit("bench: unknown allocator %s (known: %s)"
                             % (", ".join(unknown), ", ".join(known)))
        candidates = [a for a in candidates if a.name in names]
    return candidates, notes


def _mmkit_version():
    """The last commit that changed the allocator, marked when the work tree
    holds changes to it that are not committed."""
    def git(*arguments):
        try:
            return subprocess.run(["git", *arguments], cwd=Path(__file__).resolve().parent,
                                  capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""
    commit = git("log", "-1", "--format=%h", "--", "../src/alloc", "../include")
    if not commit:
        return "unknown"
    changed = git("status", "--porcelain", "--", "../src/alloc", "../include")
    return commit + (" with uncommitted changes" if changed else "")
