#!/usr/bin/env python3
"""libmmkit exports every standard allocation name and nothing but those and
the mmkit_* API; libmmkit.a defines them all too.

Usage:
  exports_only_public_names.py shared LIBMMKIT_SO
  exports_only_public_names.py static LIBMMKIT_A
The second form also checks that the archive defines no other global names,
which a program linked with it statically could clash with."""
import subprocess
import sys

STANDARD = {
    "malloc", "free", "calloc", "realloc", "reallocarray", "posix_memalign", "aligned_alloc",
    "memalign", "valloc", "pvalloc", "cfree", "free_sized", "free_aligned_sized",
    "malloc_usable_size", "malloc_trim", "mallopt", "mallinfo", "mallinfo2", "malloc_stats",
    "malloc_info", "__libc_malloc", "__libc_free", "__libc_calloc", "__libc_realloc",
    "__libc_memalign", "__libc_valloc", "__libc_pvalloc", "__posix_memalign",
}
API = {
    "mmkit_malloc", "mmkit_calloc", "mmkit_realloc", "mmkit_reallocarray", "mmkit_free",
    "mmkit_free_sized", "mmkit_free_aligned_sized", "mmkit_aligned_alloc", "mmkit_memalign",
    "mmkit_posix_memalign", "mmkit_valloc", "mmkit_pvalloc", "mmkit_usable_size", "mmkit_trim",
    "mmkit_stats_get", "mmkit_stats_print", "mmkit_stats_print_json", "mmkit_option_set",
    "mmkit_option_get", "mmkit_heap_new", "mmkit_heap_destroy", "mmkit_heap_malloc",
    "mmkit_heap_calloc", "mmkit_heap_realloc", "mmkit_heap_aligned_alloc",
    "mmkit_secure_alloc", "mmkit_secure_free", "mmkit_secure_protect", "mmkit_secure_size",
    "mmkit_alloc_trace_open", "mmkit_alloc_trace_info", "mmkit_alloc_trace_next",
    "mmkit_alloc_trace_error", "mmkit_alloc_op_name", "mmkit_alloc_trace_close",
}
CODE = set("TWi")


def defined(args):
    out = subprocess.run(["nm"] + args, capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:  # archive member headers, blank lines
            continue
        kind, name = parts[-2], parts[-1].split("@")[0]
        syms[name] = kind
    return syms


def main():
    mode, lib = sys.argv[1], sys.argv[2]
    problems = []
    if mode == "shared":
        syms = defined(["-D", "--defined-only", lib])
        for name, kind in sorted(syms.items()):
            if kind == "A":  # version nodes
                continue
            if name not in STANDARD and not name.startswith("mmkit_"):
                problems.append(f"exports '{name}' ({kind}), neither a standard name nor mmkit_*")
    else:
        syms = defined(["-g", "--defined-only", lib])
        for name, kind in sorted(syms.items()):
            if name not in STANDARD and not name.startswith(("mmkit_", "_mmkit")):
                problems.append(f"defines global '{name}' ({kind}): a program that has a "
                                f"'{name}' of its own cannot link statically with libmmkit.a")
    for name in sorted(STANDARD | API):
        if syms.get(name) not in CODE:
            problems.append(f"'{name}' is not defined as a function "
                            f"(nm says {syms.get(name, 'nothing')})")
    if problems:
        print(f"FAIL: {lib}:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print(f"ok: {lib}: {len(syms)} names, all standard or mmkit_*")


main()
