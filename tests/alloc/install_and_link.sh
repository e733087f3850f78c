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

pcfile=$(find "$prefix" -name mmkit.pc | head -n 1)
[ -n "$pcfile" ] || fail "no mmkit.pc under the prefix"
export PKG_CONFIG_PATH="$(dirname "$pcfile")"
flags=$(pkg-config --cflags --libs mmkit) || fail "pkg-config --cflags --libs mmkit failed"
libdir=$(pkg-config --variable=libdir mmkit)
includedir=$(pkg-config --variable=includedir mmkit)
case "$libdir:$includedir" in
"$prefix"/*:"$prefix"/*) ;;
*) fail "mmkit.pc installed in $prefix points elsewhere: libdir=$libdir includedir=$includedir" ;;
esac
# shellcheck disable=SC2086
"$cc" -std=c17 -Wall -Wextra -Werror "$consumer/use_mmkit.c" -o "$tmp/use_pc" $flags \
    -Wl,-rpath,"$libdir" || fail "building with pkg-config flags: $flags"
"$tmp/use_pc" || fail "the pkg-config build does not run on mmkit"

"$cmake" -S "$consumer" -B "$tmp/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
    -DCMAKE_C_COMPILER="$cc" >"$tmp/cmake.log" 2>&1 ||
    fail "configuring a find_package(mmkit) project: $(cat "$tmp/cmake.log")"
"$cmake" --build "$tmp/consumer" >"$tmp/build.log" 2>&1 ||
    fail "building a find_package(mmkit) project: $(cat "$tmp/build.log")"
"$tmp/consumer/use_mmkit" || fail "the find_package build does not run on mmkit"

[ -x "$prefix/bin/mmkit" ] || fail "no bin/mmkit under the prefix"
out=$("$prefix/bin/mmkit" run -- "$probe" 0) || fail "installed mmkit run failed: $out"
case "$out" in
*"lib $prefix/"*) ;;
*) fail "installed mmkit run did not load the installed library: $out" ;;
esac
echo "ok: installed, built with pkg-config and with find_package, mmkit run works"
