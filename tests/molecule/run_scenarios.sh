#!/usr/bin/env bash
# Runs every molecule scenario of extensions/molecule/ against the lab, one after the other
# (each starts its own lab on its own loopback network), and fails if any fails.
# A scenario fails when molecule does, and molecule's ansible runs use tests/ansible.cfg
# (each molecule.yml sets ANSIBLE_CONFIG), under which a play that matches no host is an
# error. As a second guard, a scenario whose plays ran no task on a host other than the
# controller (PLAY RECAP lines other than localhost) fails too: it tested nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0
logs="$(mktemp -d)"
trap 'rm -rf "$logs"' EXIT
failed=()
for scenario in extensions/molecule/*/molecule.yml; do
    name="$(basename "$(dirname "$scenario")")"
    # A scenario that runs against the inventory a user names (real_cluster) starts no lab:
    # tests/kit/run_against_lab.sh runs it against a lab of its own.
    if grep -q CLUSTERDB_KIT_INVENTORY "$scenario"; then
        printf '\n---- molecule scenario %s: run by tests/kit/run_against_lab.sh\n' "$name"
        continue
    fi
    log="$logs/$name.log"
    printf '\n---- molecule scenario %s ----\n' "$name"
    if ! molecule test -s "$name" 2>&1 | tee "$log"; then
        failed+=("$name")
        continue
    fi
    # "<host> : ok=N changed=N ..." in every PLAY RECAP; sum the tasks run on the nodes.
    read -r node_ok node_changed < <(awk '
        $2 == ":" && $3 ~ /^ok=/ && $1 != "localhost" {
            split($3, ok, "="); split($4, changed, "="); o += ok[2]; c += changed[2]
        }
        END { print o + 0, c + 0 }' "$log")
    printf -- '---- scenario %s: ok=%d changed=%d on the nodes (PLAY RECAP, every step)\n' \
        "$name" "$node_ok" "$node_changed"
    if [ "$node_ok" -eq 0 ]; then
        echo "molecule scenario $name ran no task on any node" >&2
        failed+=("$name")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "molecule scenarios failed: ${failed[*]}" >&2
    exit 1
fi
echo "molecule scenarios passed"
