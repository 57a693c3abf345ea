#!/usr/bin/env bash
# Set up chainrule for development in ./.venv: Python packages (editable install with the
# dev extras) and, when missing, the system programs it uses: graphviz's `dot` (drawing
# graphs) and chromium with its driver (the browser test of viz's HTML page).
# Safe to run again. Run as root on a fresh Debian machine, or with those programs installed.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v dot >/dev/null || missing+=(graphviz)
command -v chromium >/dev/null && command -v chromedriver >/dev/null || missing+=(chromium chromium-driver)
command -v python3 >/dev/null && python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup.sh: installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup.sh: please install the Debian packages ${missing[*]} (without chromium the browser test skips)" >&2
    command -v dot >/dev/null || exit 1
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[dev]"
echo "setup.sh: ready. Python: .venv/bin/python"
