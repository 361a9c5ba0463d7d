# Shared helpers for devk's scripts: idempotent installs from Debian packages and PyPI.
# Sourced, not run.

APT_UPDATED=${APT_UPDATED:-}

# ensure_cmd COMMAND PACKAGE: installs the Debian PACKAGE when COMMAND is not on PATH.
ensure_cmd() {
  local cmd=$1 pkg=$2
  command -v "$cmd" >/dev/null 2>&1 && return 0
  echo "scripts: installing $pkg (for $cmd)" >&2
  if [ -z "$APT_UPDATED" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/dev/null
  command -v "$cmd" >/dev/null 2>&1 || { echo "scripts: $pkg did not provide $cmd" >&2; return 1; }
}

# free_port: prints a free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
