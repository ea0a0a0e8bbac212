#!/usr/bin/env bash
# Installs what torchquiz needs from Debian and is not on a fresh machine:
# Chromium for the browser tests, libseccomp for the sandbox. Idempotent; needs root and apt.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q 'libseccomp\.so\.2' || missing+=(libseccomp2)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "torchquiz needs: ${missing[*]} (install them with your package manager)" >&2
  exit 1
fi
echo "installing ${missing[*]} with apt-get" >&2
apt-get -o DPkg::Lock::Timeout=120 update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 install -y -q "${missing[@]}" >/dev/null
