#!/usr/bin/env bash
# Set up chainrule for development in ./.venv: Python packages (editable install with the
# dev extras) and, when missing, the system programs it needs (graphviz's `dot`).
# Safe to run again. Run as root on a fresh Debian machine, or with those programs installed.
set -euo pipefail
cd "$(dirname "$0")"

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "setup.sh: please install the Debian packages: $*" >&2
    return 1
  fi
}

command -v dot >/dev/null || apt_install graphviz

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv 2>/dev/null || { rm -rf .venv; apt_install python3-venv && python3 -m venv .venv; }
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
echo "setup.sh: ready. Python: .venv/bin/python"
