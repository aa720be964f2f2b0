#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install incubator with its test tools.
# The end-to-end test drives the app in tmux: install it too when we can (root + apt).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
if ! command -v tmux >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        (apt-get update -qq && apt-get install -y -qq tmux) >/dev/null 2>&1 \
            || echo "setup: could not install tmux; the end-to-end test needs it" >&2
    else
        echo "setup: please install tmux; the end-to-end test needs it" >&2
    fi
fi
