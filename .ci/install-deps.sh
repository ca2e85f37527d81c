#!/bin/sh
# Installs the Debian packages biomatch needs, only those missing.
#   .ci/install-deps.sh        packages to build and test (make demo / make test)
#   .ci/install-deps.sh ci     plus what .ci/run needs (sanitizers, cross build, fuzzers, ABI check)
# As root it runs apt-get; otherwise it prints the exact command and fails.
set -eu

packages="build-essential cmake pkg-config check libsubunit-dev libpng-dev libbenchmark-dev
  libfaiss-dev libopenblas-dev python3 python3-numpy python3-pytest openmpi-bin libopenmpi-dev doxygen"
if [ "${1:-}" = "ci" ]; then
  packages="$packages abigail-tools clang libclang-rt-14-dev gcc-aarch64-linux-gnu
    g++-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
fi

missing=""
for package in $packages; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

# The aarch64 kernel tests link Check statically: it comes from Debian's arm64 packages (multiarch).
need_arm64_check=no
if [ "${1:-}" = "ci" ] && ! dpkg-query -W -f='${Status}' check:arm64 2>/dev/null | grep -q "install ok installed"; then
  need_arm64_check=yes
fi

if [ -z "$missing" ] && [ "$need_arm64_check" = no ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "biomatch needs these Debian packages:$missing" >&2
  echo "run as root:  apt-get update && apt-get install -y$missing" >&2
  [ "$need_arm64_check" = yes ] && echo "and:  dpkg --add-architecture arm64 && apt-get update && apt-get install -y check:arm64" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
if [ "$need_arm64_check" = yes ]; then
  dpkg --add-architecture arm64
fi
echo "installing:$missing" >&2
apt-get update -q
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
fi
if [ "$need_arm64_check" = yes ]; then
  apt-get install -y -q --no-install-recommends check:arm64 libsubunit-dev:arm64
fi
