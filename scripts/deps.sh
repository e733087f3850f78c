#!/bin/sh
# Install the Debian packages a make target needs, or name them and fail.
# The build configures the tests and the demo's bug program too, so it needs
# cmocka and python3.
# Usage: scripts/deps.sh build|test|demo|bench
set -eu
build="cmake make gcc g++ libc6-dev pkg-config zlib1g-dev libzstd-dev liblzma-dev libunwind-dev libdw-dev valgrind libcmocka-dev python3"
test="$build sqlite3 clang libclang-rt-14-dev xz-utils"
demo="$build sqlite3 xz-utils"
bench="$build libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0 sqlite3 bc xz-utils"

case "${1:-}" in
  build) want=$build ;;
  test) want=$test ;;
  demo) want=$demo ;;
  bench) want=$bench ;;
  *) echo "usage: $0 build|test|demo|bench" >&2; exit 2 ;;
esac

missing=""
for pkg in $want; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "mmkit: installing$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq $missing >/dev/null
else
  echo "mmkit: missing Debian packages:$missing" >&2
  echo "mmkit: install them with: sudo apt-get install$missing" >&2
  exit 1
fi
