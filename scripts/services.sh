#!/usr/bin/env bash
# Starts and stops the real services devk's integration tests talk to, all on loopback:
#   - a Docker Engine (Debian docker.io) on a private unix socket, with its own data root;
#   - moto_server (PyPI moto[server]) as the ECR API, on a free port.
# docker-registry instances are started per test by the tests themselves (tests/it/support.rs),
# so each test gets its own htpasswd users and a request log nobody else writes to.
#
#   eval "$(scripts/services.sh up)"   # idempotent: reuses services that are still alive
#   scripts/services.sh down
#
# `up` prints the exports DEVK_TEST_DOCKER_HOST and DEVK_TEST_MOTO_URL on stdout; all other
# output goes to stderr. State (sockets, logs, data) lives in $DEVK_SERVICES_DIR
# (default /tmp/devk-services).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

DIR=${DEVK_SERVICES_DIR:-/tmp/devk-services}

install_all() {
  ensure_cmd dockerd docker.io >&2
  ensure_cmd docker-registry docker-registry >&2
  ensure_cmd htpasswd apache2-utils >&2
  [ -x /bin/busybox ] || ensure_pkg busybox-static >&2
  command -v moto_server >/dev/null 2>&1 || {
    echo "services: installing moto[server] from PyPI" >&2
    python3 -m pip install -q 'moto[server]' >&2
    # pyenv only makes shims for new console scripts on a rehash.
    if command -v pyenv >/dev/null 2>&1; then pyenv rehash >&2 || true; fi
  }
  # Wherever pip put the script, find it (a user or pyenv install may not be on PATH).
  command -v moto_server >/dev/null 2>&1 \
    || PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$HOME/.local/bin:$PATH"
  command -v moto_server >/dev/null 2>&1 || { echo "services: moto_server not found after pip install" >&2; exit 1; }
}

# ensure_pkg PACKAGE: installs a Debian package that provides no command of its own name.
ensure_pkg() {
  dpkg -s "$1" >/dev/null 2>&1 && return 0
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # wait_for SECONDS WHAT COMMAND...
  local secs=$1 what=$2; shift 2
  for _ in $(seq 1 $((secs * 10))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "services: $what did not come up in ${secs}s; its log follows" >&2
  return 1
}

start_dockerd() {
  local d=$DIR/docker sock=$DIR/docker/docker.sock
  if alive "$d/dockerd.pid" && DOCKER_HOST=unix://$sock docker version >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$d/data" "$d/exec"
  rm -f "$sock"
  # No bridge, no iptables: the tests only build FROM scratch and push to loopback registries.
  nohup dockerd --host "unix://$sock" --data-root "$d/data" --exec-root "$d/exec" \
    --pidfile "$d/dockerd.pid" --storage-driver overlay2 --iptables=false --ip-masq=false \
    --bridge=none >"$d/dockerd.log" 2>&1 &
  wait_for 60 dockerd env DOCKER_HOST="unix://$sock" docker version \
    || { tail -n 30 "$d/dockerd.log" >&2; exit 1; }
}

start_moto() {
  local d=$DIR/moto
  mkdir -p "$d"
  if alive "$d/moto.pid" && [ -f "$d/port" ] \
    && curl -fsS "http://127.0.0.1:$(cat "$d/port")/moto-api/" >/dev/null 2>&1; then
    return 0
  fi
  local port
  port=$(free_port)
  nohup moto_server -H 127.0.0.1 -p "$port" >"$d/moto.log" 2>&1 &
  echo $! >"$d/moto.pid"
  echo "$port" >"$d/port"
  wait_for 30 moto_server curl -fsS "http://127.0.0.1:$port/moto-api/" \
    || { tail -n 30 "$d/moto.log" >&2; exit 1; }
}

stop_all() {
  local pidfile
  for pidfile in "$DIR/moto/moto.pid" "$DIR/docker/dockerd.pid"; do
    if alive "$pidfile"; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      for _ in $(seq 1 100); do alive "$pidfile" || break; sleep 0.1; done
    fi
    rm -f "$pidfile"
  done
}

case "${1:-}" in
  up)
    ensure_cmd curl curl >&2
    install_all
    start_dockerd
    start_moto
    echo "export DEVK_TEST_DOCKER_HOST=unix://$DIR/docker/docker.sock"
    echo "export DEVK_TEST_MOTO_URL=http://127.0.0.1:$(cat "$DIR/moto/port")"
    ;;
  down) stop_all ;;
  *) echo "usage: scripts/services.sh up|down" >&2; exit 2 ;;
esac
