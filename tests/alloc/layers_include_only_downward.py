#!/usr/bin/env python3
"""layers_include_only_downward.py SRC_DIR: the allocator's layers include
only downward, and no module of src/ includes itself through others.

src/alloc has one folder per layer, bottom first: platform, core, tools,
check, api.  A file may include headers of its own layer and of the layers
below it.  Over all of src/, a module is a file without its extension (x.c
and x.h together): the graph of modules including each other's headers
must have no circle.  Prints every offence and exits 1 if any."""
import os
import re
import sys

LAYERS = ["platform", "core", "tools", "check", "api"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def project_files(src):
    for directory, _, names in os.walk(src):
        for name in names:
            if name.endswith((".c", ".h")):
                yield os.path.join(directory, name)


def resolve(including, name, headers):
    """The project header an include names: beside the including file first."""
    beside = os.path.join(os.path.dirname(including), name)
    if os.path.exists(beside):
        return os.path.normpath(beside)
    found = headers.get(os.path.basename(name), [])
    return found[0] if len(found) == 1 else None


def layer_of(path, alloc):
    rel = os.path.relpath(path, alloc)
    top = rel.split(os.sep)[0]
    return LAYERS.index(top) if top in LAYERS else None


def circles(graph):
    """Each circle of the include graph once, as a list of files."""
    found, state = [], {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def main():
    src = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "src")
    alloc = os.path.join(src, "alloc")
    files = sorted(project_files(src))
    headers = {}
    for f in files:
        if f.endswith(".h"):
            headers.setdefault(os.path.basename(f), []).append(f)
    problems, graph = [], {}
    for f in files:
        with open(f, encoding="utf-8") as text:
            names = INCLUDE.findall(text.read())
        for name in names:
            target = resolve(f, name, headers)
            if target is None:
                continue
            module, included = os.path.splitext(f)[0], os.path.splitext(target)[0]
            if module != included:
                graph.setdefault(module, set()).add(included)
            mine, theirs = layer_of(f, alloc), layer_of(target, alloc)
            if mine is not None and theirs is not None and theirs > mine:
                problems.append("%s (layer %s) includes %s of the higher layer %s" % (
                    os.path.relpath(f, src), LAYERS[mine], name, LAYERS[theirs]))
    for circle in circles(graph):
        problems.append("include circle: " + " -> ".join(os.path.relpath(p, src) for p in circle))
    layered = sum(1 for f in files if layer_of(f, alloc) is not None)
    for p in problems:
        print(p)
    print("%d files of src/, %d of them in the allocator's layers: %d problem(s)" % (
        len(files), layered, len(problems)))
    if layered == 0:
        print("no layer folders under %s: is this the source tree?" % alloc)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
