#!/usr/bin/env bash
# Installs the Debian packages torchquiz needs and a fresh machine may lack.
#   scripts/system-deps.sh        libseccomp2, which the sandbox loads to filter syscalls
#   scripts/system-deps.sh test   also Chromium, for the browser tests; Node.js + npm, to
#                                 rebuild the editor bundle and compare it with the committed
#                                 one; and wrk, for the benchmarks' smoke test
#   scripts/system-deps.sh bench  also wrk, the load generator of `make bench`
# Idempotent; installing needs root and apt-get.
set -euo pipefail

missing=()
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
if [ "${1:-}" = test ]; then
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi
if [ "${1:-}" = test ] || [ "${1:-}" = bench ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "torchquiz needs: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
echo "installing ${missing[*]} with apt-get" >&2
apt-get -o DPkg::Lock::Timeout=120 update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q "${missing[@]}" >/dev/null
