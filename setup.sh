#!/usr/bin/env bash
# Create .venv with Python 3.11+ and install incubator with its test tools.
# The end-to-end test drives the app in tmux, and the shared-folder tests run real
# Syncthing instances and a private relay: install them too when we can (root + apt).
set -euo pipefail
cd "$(dirname "$0")"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
# command → the Debian package that provides it
declare -A PACKAGES=([tmux]=tmux [syncthing]=syncthing [strelaysrv]=syncthing-relaysrv)
missing=()
for command in "${!PACKAGES[@]}"; do
    command -v "$command" >/dev/null 2>&1 || missing+=("${PACKAGES[$command]}")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
        # The packages ship services (a public relay); keep apt from starting any.
        policy=/usr/sbin/policy-rc.d
        [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; \
                              trap 'rm -f "$policy"' EXIT; }
        (apt-get update -qq && apt-get install -y -qq "${missing[@]}") >/dev/null 2>&1 \
            || echo "setup: could not install ${missing[*]}; the tests that need them fail" >&2
    else
        echo "setup: please install ${missing[*]} (tmux: the end-to-end test; syncthing," \
             "syncthing-relaysrv: the shared-folder tests, skipped without root)" >&2
    fi
fi
