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

# ensure_pip COMMAND PACKAGE: puts COMMAND on PATH; when it is not there, installs the PyPI
# PACKAGE into a virtual environment of its own ($DEVK_PY_TOOLS/PACKAGE, default
# ~/.cache/devk/py-tools), so that one tool's pinned dependencies (trufflehog3 pins an old
# attrs) never break another's.
ensure_pip() {
  local cmd=$1 pkg=$2
  local dir=${DEVK_PY_TOOLS:-$HOME/.cache/devk/py-tools}/$pkg
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if [ ! -x "$dir/bin/$cmd" ]; then
    echo "scripts: installing $pkg from PyPI (for $cmd) into $dir" >&2
    python3 -m venv "$dir" >&2
    "$dir/bin/python" -m pip install -q "$pkg" >&2
  fi
  export PATH="$dir/bin:$PATH"
  command -v "$cmd" >/dev/null 2>&1 || { echo "scripts: $pkg did not provide $cmd" >&2; return 1; }
}

# free_port: prints a free TCP port on 127.0.0.1.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
