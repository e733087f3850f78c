"""The allocators compared: the system's glibc, the peers from Debian's
packages, and mmkit from the build directory.

A peer is found by its soname through the dynamic linker's cache (`ldconfig
-p`), or failing that in the multiarch library directories, so that no path
of one machine is written down here.  A peer that is not installed is
skipped with a note, not an error.

The checking configurations (CHECKING) are not allocators of their own but
ways of running one: mmkit in a checking mode (MMKIT_OPTIONS=mode=...),
glibc with its malloc checks (MALLOC_CHECK_=3), or either under valgrind's
memcheck.  They are measured against mmkit in its default fast mode, in the
checking-modes section of the report (modes.py).

Another build of libmmkit (--before, say from before a change) runs beside
this one: as mmkit-before next to mmkit, and as mmkit-before-hardened next
to mmkit-hardened, on the same work in the same rounds.
"""

import os
import re
import shutil
import subprocess
import sysconfig
from dataclasses import dataclass, replace
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
BEFORE = TARGET + "-before"
# The configurations of this build the other one runs beside, and its name
# there.
BESIDE = {TARGET: BEFORE, "mmkit-hardened": BEFORE + "-hardened"}


@dataclass(frozen=True)
class Allocator:
    name: str
    # The library to preload, or None for the system allocator.
    library: str
    version: str
    # Peers are what the target is measured against.
    peer: bool = True
    # Environment variables set for the run, as ((name, value), ...).
    env: tuple = ()
    # A command the workload runs under (valgrind), as (argv0, ...).
    wrapper: tuple = ()
    # A checking configuration, measured against mmkit's fast mode.
    checking: bool = False


# Checking configurations: name -> (what it is, based on the system
# allocator or on mmkit, environment, wrapper).  Debug mode's leak report at
# exit scans the whole heap; leaks=0 leaves it out, as it is a cost paid
# once, not per call.
MEMCHECK = ("valgrind", "--tool=memcheck", "-q", "--leak-check=no")
CHECKING = [
    ("mmkit-hardened", TARGET, (("MMKIT_OPTIONS", "mode=hardened"),), ()),
    ("mmkit-sample", TARGET, (("MMKIT_OPTIONS", "mode=sample"),), ()),
    ("mmkit-debug", TARGET, (("MMKIT_OPTIONS", "mode=debug,leaks=0"),), ()),
    ("glibc-check", SYSTEM, (("MALLOC_CHECK_", "3"),), ()),
    ("valgrind", SYSTEM, (), MEMCHECK),
    ("valgrind-mmkit", TARGET, (), MEMCHECK),
]
CHECKING_NAMES = [c[0] for c in CHECKING]
# glibc 2.34 moved MALLOC_CHECK_ out of libc, into a library to preload.
GLIBC_DEBUG_SONAME = "libc_malloc_debug.so.0"
# Set by a configuration or not at all: one left in the caller's environment
# would change what every run measures.
CONTROLLED_ENVIRONMENT = ("MMKIT_OPTIONS", "MALLOC_CHECK_", "MALLOC_PERTURB_")


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


def discover(build_dir, wanted=None, checking=True, valgrind=True):
    """Returns (allocators, notes): every allocator available (restricted to
    the comma-separated names in `wanted`, if given) and a note for each one
    that had to be skipped.  Without `wanted`, the checking configurations
    come too if `checking`, the valgrind ones only if `valgrind` as well."""
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

    names = [n.strip() for n in wanted.split(",") if n.strip()] if wanted else None
    known = [SYSTEM, TARGET] + [p[0] for p in PEERS] + CHECKING_NAMES
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise SystemExit("bench: unknown allocator %s (known: %s)"
                         % (", ".join(unknown), ", ".join(known)))
    if names is None:
        names = [c.name for c in candidates]
        if checking:
            names += [n for n in CHECKING_NAMES if valgrind or not n.startswith("valgrind")]
    checked, checking_notes = _checking(names, {c.name: c for c in candidates}, cache)
    candidates = [a for a in candidates if a.name in names] + checked
    return candidates, notes + checking_notes


def _checking(names, plain, cache):
    """The checking configurations among names, built on the plain
    allocators found, and notes on those that cannot run."""
    found, notes = [], []
    for name, base, env, wrapper in CHECKING:
        if name not in names:
            continue
        if base not in plain:
            if base == TARGET:
                notes.append("%s skipped: %s is not built" % (name, TARGET))
            continue
        if wrapper and not shutil.which(wrapper[0]):
            notes.append("%s skipped: %s is not installed (Debian package valgrind)"
                         % (name, wrapper[0]))
            continue
        library = plain[base].library
        version = plain[base].version
        if name == "glibc-check":
            # Before 2.34, MALLOC_CHECK_ works without it and it does not exist.
            library = _find_library(GLIBC_DEBUG_SONAME, cache)
        if wrapper:
            version = "%s; %s" % (version, _valgrind_version())
        found.append(Allocator(name, library, version, peer=False, env=env, wrapper=wrapper,
                               checking=True))
    return found, notes


def before(library, allocators):
    """Another build of libmmkit, run as each configuration in BESIDE that
    is among allocators, under its name there."""
    if not os.path.exists(library):
        raise SystemExit("bench: %s does not exist" % library)
    return [replace(a, name=BESIDE[a.name], library=os.path.abspath(library),
                    version="another build") for a in allocators if a.name in BESIDE]


def _valgrind_version():
    try:
        return subprocess.run(["valgrind", "--version"], capture_output=True,
                              text=True).stdout.strip() or "valgrind"
    except OSError:
        return "valgrind"


def environment(allocator):
    """The environment of a run under allocator (LD_PRELOAD aside)."""
    env = {k: v for k, v in os.environ.items() if k not in CONTROLLED_ENVIRONMENT}
    env.update(allocator.env)
    return env


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
