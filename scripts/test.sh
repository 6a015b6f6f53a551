#!/bin/sh
# The README's test command: a virtualenv with the package and its test extras, the system tools
# the interoperability and browser tests need, then pytest.
set -eu
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q -e '.[test]'
sh scripts/system-deps.sh
exec .venv/bin/pytest "$@"
