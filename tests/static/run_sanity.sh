#!/usr/bin/env bash
# ansible-test sanity for the collection, offline, on the controller's Python 3.11.
#   - `--local` runs on this machine, no containers. Sanity tests that need packages of
#     their own (ansible-doc, import, pep8, pylint, runtime-metadata, validate-modules,
#     yamllint) still get a venv each, under ~/.ansible/test/venv, installed with pip from
#     the package index; the first run creates them (about a minute), later runs reuse them.
#   - Each such venv bootstraps pip with a script ansible-test would download from a host
#     we cannot reach: tests/static/install_pip_bootstrap.py puts our offline stand-in in
#     its place first.
#   - pslint and shellcheck skip themselves with a warning (no pwsh, no shellcheck);
#     validate-modules skips the .ps1 modules through tests/sanity/ignore-2.19.txt,
#     checked first by tests/static/check_sanity_ignores.py.
# Usage (after `. scripts/bootstrap.sh`): bash tests/static/run_sanity.sh [ansible-test options]
set -euo pipefail
: "${WSFC_CACHE:?run '. scripts/bootstrap.sh' first}"
static_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

python "$static_dir/check_sanity_ignores.py"
python "$static_dir/install_pip_bootstrap.py" --python-version 3.11

# ansible-test needs the collection at .../ansible_collections/<namespace>/<name>; the
# bootstrap made that path a symlink to this checkout. ansible-test takes the working
# directory from getcwd(), which resolves symlinks, so the path is given explicitly.
export ANSIBLE_TEST_CONTENT_ROOT="$WSFC_CACHE/collections/ansible_collections/wsfc/clusterdb"
cd "$ANSIBLE_TEST_CONTENT_ROOT"
exec ansible-test sanity --local --python 3.11 --color no "$@"
