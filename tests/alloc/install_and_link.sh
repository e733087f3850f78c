#!/bin/sh
# An installed mmkit can be built against: `cmake --install` into a fresh
# prefix, then a program built with `pkg-config --cflags --libs mmkit` and a
# CMake project with find_package(mmkit) both run on libmmkit, and the
# installed `mmkit run` finds the installed library.
# Usage: install_and_link.sh BUILD_DIR CMAKE C_COMPILER RUN_PROBE
set -eu
build=$1 cmake=$2 cc=$3 probe=$4
here=$(cd "$(dirname "$0")" && pwd)
consumer=$here/../data/alloc/install_consumer
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mmkit-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

fail() {
    echo "FAIL: $*"
    exit 1
}

"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
    fail "cmake --install: $(cat "$tmp/install.log")"

# Each way of using the install is checked; all failures are reported.
problems=""
problem() {
    echo "FAIL: $*"
    problems="$problems x"
}

pcfile=$(find "$prefix" -name mmkit.pc | head -n 1)
if [ -z "$pcfile" ]; then
    problem "no mmkit.pc under the prefix"
else
    export PKG_CONFIG_PATH="$(dirname "$pcfile")"
    flags=$(pkg-config --cflags --libs mmkit) || problem "pkg-config --cflags --libs mmkit failed"
    libdir=$(pkg-config --variable=libdir mmkit)
    includedir=$(pkg-config --variable=includedir mmkit)
    case "$libdir:$includedir" in
    "$prefix"/*:"$prefix"/*)
        # shellcheck disable=SC2086
        if "$cc" -std=c17 -Wall -Wextra -Werror "$consumer/use_mmkit.c" -o "$tmp/use_pc" \
            $flags -Wl,-rpath,"$libdir"; then
            "$tmp/use_pc" || problem "the pkg-config build does not run on mmkit"
        else
            problem "building with pkg-config flags: $flags"
        fi
        ;;
    *) problem "mmkit.pc installed in $prefix points elsewhere: libdir=$libdir includedir=$includedir" ;;
    esac
fi

if "$cmake" -S "$consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" >"$tmp/cmake.log" 2>&1 &&
    "$cmake" --build "$tmp/consumer" >>"$tmp/cmake.log" 2>&1; then
    "$tmp/consumer/use_mmkit" || problem "the find_package build does not run on mmkit"
else
    problem "a find_package(mmkit) project does not build: $(cat "$tmp/cmake.log")"
fi

if [ -x "$prefix/bin/mmkit" ]; then
    out=$("$prefix/bin/mmkit" run -- "$probe" 0) || problem "installed mmkit run failed: $out"
    case "$out" in
    *"lib $prefix/"*) ;;
    *) problem "installed mmkit run did not load the installed library: $out" ;;
    esac
else
    problem "no bin/mmkit under the prefix"
fi
[ -z "$problems" ] || exit 1
echo "ok: installed, built with pkg-config and with find_package, mmkit run works"
