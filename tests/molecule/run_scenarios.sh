#!/usr/bin/env bash
# Runs every molecule scenario of extensions/molecule/ against the lab, one after the other
# (each starts its own lab on its own loopback network), and fails if any fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0
failed=()
for scenario in extensions/molecule/*/molecule.yml; do
    name="$(basename "$(dirname "$scenario")")"
    printf '\n---- molecule scenario %s ----\n' "$name"
    if ! molecule test -s "$name"; then
        failed+=("$name")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "molecule scenarios failed: ${failed[*]}" >&2
    exit 1
fi
echo "molecule scenarios passed"
