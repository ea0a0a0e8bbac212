#!/usr/bin/env bash
# Builds the Docker image with podman from the real Dockerfile and runs it for real:
# healthy by its HEALTHCHECK, answers and runs code over HTTP, contains hostile code
# (with Landlock and with Landlock forced off), keeps progress across a restart in its
# named volume, runs its web server as uid 10001 and jobs as 65534, and works with
# `--read-only --tmpfs /tmp` and with `--cap-drop ALL` plus the capabilities README names.
#
#   scripts/image-smoke.sh          (as root; `make image-smoke` runs it after setting up .venv)
#
# Installs what it needs with apt (podman, buildah, runc, debootstrap). Registry images
# cannot be pulled on machines without internet, so the base image is made here:
# a debootstrap of Debian bookworm with Debian's python3.11 at the paths the official
# python:3.11-slim-bookworm image uses (/usr/local/bin/python3), passed to the build as
# BASE_IMAGE. torch's CPU wheel is taken from wherever this host's pip finds it and put
# in the build context's wheels/ folder, and the build is told not to ask PyTorch's index
# (`--build-arg PIP_EXTRA_INDEX_URL=`); by default the image takes torch from that index.
#
# It undoes what it changes on the host: containers, volumes, the wheel it copied, IP
# forwarding and the iptables rules podman adds. The base image and podman's storage are
# kept in $TORCHQUIZ_SMOKE_DIR (default /var/tmp/torchquiz-image-smoke) to make the next
# run faster; delete that folder to start from nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=${TORCHQUIZ_SMOKE_DIR:-/var/tmp/torchquiz-image-smoke}
python=${PYTHON:-$repo/.venv/bin/python}
base_image=localhost/torchquiz-base:bookworm-python3.11
image=localhost/torchquiz:smoke
prefix=torchquiz-smoke
started=$(date +%s)

say() { printf '[image-smoke %4ss] %s\n' "$(($(date +%s) - started))" "$*" >&2; }
die() { say "FAILED: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (podman builds and runs rootful containers here)"
[ -x "$python" ] || die "$python missing: run \`make image-smoke\` (it creates .venv first)"

# --- tools ------------------------------------------------------------------------------
missing=()
for tool in podman buildah runc debootstrap iptables-save; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing podman buildah runc debootstrap iptables with apt-get"
  apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q \
    podman buildah runc debootstrap iptables >/dev/null
fi

# --- podman's configuration: runc, ulimits within the host's hard limits, own storage ----
mkdir -p "$work"
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
[ "$nofile" = unlimited ] && nofile=1048576
[ "$nproc" = unlimited ] && nproc=65536
[ "$nofile" -gt 20000 ] && nofile=20000
[ "$nproc" -gt 32768 ] && nproc=32768
cat >"$work/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[engine]
# crun 1.8 refuses this host's hybrid cgroups; runc runs them.
runtime = "runc"
EOF
cat >"$work/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$work/storage"
runroot = "$work/run"
EOF
export CONTAINERS_CONF=$work/containers.conf
export CONTAINERS_STORAGE_CONF=$work/storage.conf

# --- undo on exit -----------------------------------------------------------------------
forward_before=$(cat /proc/sys/net/ipv4/ip_forward)
iptables-save >"$work/iptables.before"
ip6tables-save >"$work/ip6tables.before" 2>/dev/null || true
copied_wheels=()
cleanup() {
  local status=$?
  set +e
  for c in $(podman ps -a --format '{{.Names}}' | grep "^$prefix-"); do
    podman rm -f -t 0 "$c" >/dev/null 2>&1
  done
  for v in $(podman volume ls --format '{{.Name}}' | grep "^$prefix-"); do
    podman volume rm -f "$v" >/dev/null 2>&1
  done
  podman network prune -f >/dev/null 2>&1
  for w in "${copied_wheels[@]}"; do rm -f "$w"; done
  iptables-restore <"$work/iptables.before"
  [ -s "$work/ip6tables.before" ] && ip6tables-restore <"$work/ip6tables.before"
  echo "$forward_before" >/proc/sys/net/ipv4/ip_forward
  say "cleaned up (containers, volumes, copied wheel, iptables, ip_forward=$forward_before)"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the stand-in base image ------------------------------------------------------------
if ! podman image exists "$base_image"; then
  say "making $base_image with debootstrap (minbase bookworm + python3.11)"
  rootfs=$work/rootfs
  rm -rf "$rootfs"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # Security updates too, as the official image has them (the host's list, if it has one).
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  chroot "$rootfs" apt-get update -q >>"$work/debootstrap.log" 2>&1
  chroot "$rootfs" apt-get -o DPkg::Lock::Timeout=120 install -y -q --no-install-recommends \
    python3.11 python3.11-venv ca-certificates >>"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "installing python3.11 in the base failed"; }
  # This host's extra certificate authorities (a TLS-inspecting proxy): pip in the build
  # fails with CERTIFICATE_VERIFY_FAILED without them.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    chroot "$rootfs" update-ca-certificates >>"$work/debootstrap.log" 2>&1
  fi
  # Where the official image has its interpreter.
  for name in python3.11 python3 python; do
    ln -sf /usr/bin/python3.11 "$rootfs/usr/local/bin/$name"
  done
  chroot "$rootfs" apt-get clean
  rm -rf "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["python3"]' - "$base_image" >/dev/null
  rm -rf "$rootfs"
fi
say "base image ready"

# --- build with the real Dockerfile -----------------------------------------------------
torch_pin=$(grep -E '^torch==' requirements.lock)
mkdir -p wheels
before=$(ls wheels)
"$python" -m pip download -q --no-deps --only-binary :all: -d wheels "$torch_pin" \
  || die "pip cannot find $torch_pin on this host"
for w in wheels/*.whl; do
  grep -qx "$(basename "$w")" <<<"$before" || copied_wheels+=("$repo/$w")
done
build_started=$(date +%s)
# PyTorch's index cannot be reached here: without it pip takes torch from wheels/.
# The docker format keeps the HEALTHCHECK (OCI images have no field for it).
podman build --format docker --network host --build-arg BASE_IMAGE="$base_image" \
  --build-arg PIP_EXTRA_INDEX_URL= -t "$image" . \
  >"$work/build.log" 2>&1 || { tail -40 "$work/build.log" >&2; die "podman build failed"; }
say "built $image in $(($(date +%s) - build_started)) s"

# --- run it: the checks are in image_smoke.py -------------------------------------------
"$python" scripts/image_smoke.py --image "$image" --prefix "$prefix"
say "the image passed"

# --- compose.yaml's scale profile, with podman-compose ----------------------------------
# PostgreSQL's image cannot be pulled either: a stand-in with its name (postgres-standin/).
pg_image=docker.io/library/postgres:15-bookworm
if ! podman image exists "$pg_image"; then
  say "making a stand-in $pg_image"
  podman build --format docker --network host --build-arg BASE_IMAGE="$base_image" \
    -t "$pg_image" scripts/postgres-standin >"$work/postgres-build.log" 2>&1 \
    || { tail -20 "$work/postgres-build.log" >&2; die "building the PostgreSQL stand-in failed"; }
fi
if [ ! -x "$work/compose-venv/bin/podman-compose" ]; then
  say "installing podman-compose with pip"
  "$python" -m venv "$work/compose-venv"
  "$work/compose-venv/bin/pip" install -q podman-compose 2>&1 | grep -v '^WARNING: Location' || true
fi
podman tag "$image" localhost/torchquiz:latest # compose.yaml's `image: torchquiz`
# compose.yaml as shipped, except that its ports are published on free loopback ports (a
# shared machine) and `build: .` names this checkout (the file is copied elsewhere).
read -r port_a port_b port_c < <("$python" -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))')
sed -E -e "s|\"8000:8000\"|\"127.0.0.1:$port_c:8000\"|" \
  -e "s|\"8001:8000\"|\"127.0.0.1:$port_a:8000\"|" \
  -e "s|\"8002:8000\"|\"127.0.0.1:$port_b:8000\"|" \
  -e "s|build: \.$|build: $repo|" compose.yaml >"$work/compose.yaml"
grep -q "127.0.0.1:$port_b:8000" "$work/compose.yaml" || die "compose.yaml's ports changed: update this script"
compose() {
  TORCHQUIZ_SECRET_KEY=smoke-$started "$work/compose-venv/bin/podman-compose" \
    -p "$prefix" -f "$work/compose.yaml" "$@"
}
compose_started=$(date +%s)
compose --profile scale up -d --no-build >"$work/compose.log" 2>&1 \
  || { tail -30 "$work/compose.log" >&2; die "podman-compose up failed"; }
"$python" scripts/image_smoke.py --prefix "$prefix" \
  --compose "http://127.0.0.1:$port_a" "http://127.0.0.1:$port_b" \
  || { compose logs >"$work/compose-logs.txt" 2>&1; die "compose smoke; see $work/compose-logs.txt"; }
compose --profile scale down -t 10 >>"$work/compose.log" 2>&1 || true
say "compose.yaml's scale profile passed in $(($(date +%s) - compose_started)) s"
say "passed in $(($(date +%s) - started)) s"
