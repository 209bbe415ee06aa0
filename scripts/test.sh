#!/usr/bin/env bash
# The project's test command: installs what is missing (scripts/bootstrap.sh), then runs
# every tier in order and stops at the first that fails:
#   1. static: ruff, PowerShell syntax, C# utils (mcs -langversion:5), ansible-test sanity,
#      ansible-lint (production profile), the contract check
#   2. unit and integration tests (pytest; integration runs ansible-playbook against the lab)
#   3. molecule scenarios against the lab
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"
cd "$WSFC_ROOT"

section() { printf '\n==== %s ====\n' "$*"; }

section "static checks"
bash tests/static/run_static.sh

section "unit and integration tests"
python -m pytest -n 2 -p no:cacheprovider tests/unit tests/integration

section "molecule scenarios"
bash tests/molecule/run_scenarios.sh
