#!/usr/bin/env bash
# The project's test command: installs what is missing (scripts/bootstrap.sh), then runs
# every tier in order and stops at the first that fails:
#   1. static: ruff, PowerShell syntax, C# utils (mcs -langversion:5), ansible-test sanity,
#      ansible-lint (production profile), the contract check
#   2. unit and integration tests (pytest; integration runs ansible-playbook against the lab)
#   3. the environments of every other supported ansible-core version (tests/versions)
#   4. two streams side by side, each on labs of its own, their outputs printed whole:
#      - the molecule scenarios against the lab, then the molecule restore scenario on every
#        other ansible-core version
#      - the validation kit (tests/kit: the integration targets through ansible-test
#        windows-integration and the real_cluster scenario) against a two-node lab, then
#        the integration targets on every other ansible-core version
#      One stream of these waits on its labs much of its time; two of them keep both of the
#      machine's CPUs busy. Each stream's labs run one at a time, so that two ansible-test
#      runs never share the checkout's tests/output.
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"
cd "$WSFC_ROOT"

section() { printf '\n==== %s ====\n' "$*"; }

section "static checks"
bash tests/static/run_static.sh

section "unit and integration tests"
# Two workers, one per CPU: the suite keeps both busy (a third made it no faster
# and starved the fault matrices' timed cases).
python -m pytest -n 2 -p no:cacheprovider tests/unit tests/integration

section "environments of the other ansible-core versions"
bash tests/versions/run_versions.sh environments

section "molecule scenarios and the validation kit, each on every ansible-core version"
streams="$(mktemp -d)"
trap 'rm -rf "$streams"' EXIT
(bash tests/molecule/run_scenarios.sh && bash tests/versions/run_versions.sh restore) \
    >"$streams/molecule.log" 2>&1 &
molecule_pid=$!
(bash tests/kit/run_against_lab.sh && bash tests/versions/run_versions.sh targets) \
    >"$streams/kit.log" 2>&1 &
kit_pid=$!
failed=()
wait "$molecule_pid" || failed+=("the molecule stream")
wait "$kit_pid" || failed+=("the validation kit stream")
section "molecule scenarios (this version, then the others' restore scenario)"
cat "$streams/molecule.log"
section "validation kit (this version, then the others' integration targets)"
cat "$streams/kit.log"
if [ "${#failed[@]}" -gt 0 ]; then
    printf '\nfailed: %s\n' "${failed[*]}" >&2
    exit 1
fi
