#!/usr/bin/env bash
# The project's test command: installs what is missing (scripts/bootstrap.sh), then runs
# every tier in order and stops at the first that fails:
#   1. static: ruff, PowerShell syntax, C# utils (mcs -langversion:5), ansible-test sanity,
#      ansible-lint (production profile), the contract check
#   2. unit and integration tests (pytest; integration runs ansible-playbook against the lab)
#   3. molecule scenarios against the lab
#   4. the validation kit (tests/kit: the integration targets through ansible-test
#      windows-integration and the real_cluster scenario) against one two-node lab
#   5. every other supported ansible-core version, each in its own environment: the kit's
#      integration targets and the molecule restore scenario (tests/versions)
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

section "validation kit against a lab"
bash tests/kit/run_against_lab.sh

section "other ansible-core versions"
bash tests/versions/run_versions.sh
