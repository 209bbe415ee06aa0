#!/usr/bin/env bash
# Every supported ansible-core besides the main one (requirements.txt, which runs the whole
# suite): each in a virtual environment of its own under .cache/venvs, where it runs the
# module integration targets (the validation kit against a two-node lab: ansible-test
# windows-integration of that version, then the molecule scenario real_cluster) and the
# molecule scenario restore. meta/runtime.yml's requires_ansible names what is tested here.
#
# A version on the main environment's Python holds ansible-core and what it needs that the
# main environment lacks in the range it asks for (resolvelib for ansible-galaxy);
# everything else (pywinrm, molecule, the lab) comes from the main environment, read after
# its own packages, so that an environment costs seconds rather than a full install.
# VERSION@PYTHON (the newest ansible-core, which needs a newer Python) gets a full
# environment on that Python, with the pins of requirements.txt that the runs need; when
# the machine has no such Python (python3.X on PATH or under pyenv), it is left out, and
# said so.
#   tests/versions/run_versions.sh [VERSION[@PYTHON] ...]   (default: every version below)
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/bootstrap.sh"
cd "$WSFC_ROOT"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0

# Automation Platform 2.5 ships 2.16; 2.17 and 2.18 are the releases between it and 2.19;
# 2.21 is the newest, and needs Python 3.12.
VERSIONS=(2.16.19 2.17.14 2.18.19 2.21.5@3.12)
# The packages of requirements.txt a full environment needs for the kit and molecule.
FULL_PACKAGES='^(pywinrm|pypsrp|pyspnego|requests|cryptography|PyYAML|rich|molecule)=='

find_python() {
    local wanted="$1" candidate
    for candidate in "$(command -v "python$wanted" || true)" \
        "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$wanted".*/bin/python"$wanted"; do
        # A pyenv shim is on PATH even where it has no such version to run: try it.
        if [ -n "$candidate" ] && [ -x "$candidate" ] && "$candidate" -c '' 2>/dev/null; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}
if [ "$#" -gt 0 ]; then VERSIONS=("$@"); fi

main_site="$("$WSFC_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
out="$WSFC_ROOT/tests/output/versions"
mkdir -p "$out"
failed=()
left_out=()
for entry in "${VERSIONS[@]}"; do
    version="${entry%@*}"
    venv="$WSFC_CACHE/venvs/ansible-core-$version"
    printf '\n---- ansible-core %s ----\n' "$entry"
    if [ ! -x "$venv/bin/ansible-playbook" ]; then
        if [ "$entry" != "$version" ]; then
            wanted="${entry#*@}"
            if ! python="$(find_python "$wanted")"; then
                echo "ansible-core $version left out: this machine has no Python $wanted"
                left_out+=("$version (no Python $wanted)")
                continue
            fi
            "$python" -m venv "$venv"
            grep -E "$FULL_PACKAGES" "$WSFC_ROOT/requirements.txt" >"$venv/requirements.txt"
            "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
                "ansible-core==$version" -r "$venv/requirements.txt" 2>&1 \
                | grep -v -e '^WARNING: Location' >&2 || true
            "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
                -e "$WSFC_ROOT/tests/lab" 2>&1 | grep -v -e '^WARNING: Location' >&2 || true
        else
            "$WSFC_VENV/bin/python" -m venv "$venv"
            site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
            # addsitedir also reads the main environment's .pth files (the lab's editable
            # install).
            echo "import site; site.addsitedir('$main_site')" >"$site/clusterdb-main.pth"
            "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
                "ansible-core==$version" 2>&1 | grep -v -e '^WARNING: Location' >&2 || true
        fi
    fi
    got="$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')"
    if [ "$got" != "$version" ]; then
        echo "the environment of ansible-core $version runs $got" >&2
        failed+=("$version (environment)")
        continue
    fi
    # What the kit and molecule start is found on PATH: it must be this version's.
    playbook_version="$(PATH="$venv/bin:$PATH" ansible-playbook --version)"
    if [[ "${playbook_version%%$'\n'*}" != *"[core $version]"* ]]; then
        failed+=("$version (ansible-playbook on PATH is not this version's)")
        continue
    fi
    log="$out/$version"
    mkdir -p "$log"
    started=$SECONDS
    if ! PATH="$venv/bin:$PATH" "$venv/bin/python" tests/kit/kit.py lab --report "$log/kit" \
        >"$log/kit.log" 2>&1; then
        tail -n 20 "$log/kit.log" >&2
        failed+=("$version (integration targets: $log/kit)")
    fi
    kit_seconds=$((SECONDS - started))
    started=$SECONDS
    if ! PATH="$venv/bin:$PATH" "$venv/bin/python" -m molecule test -s restore \
        >"$log/molecule-restore.log" 2>&1; then
        tail -n 30 "$log/molecule-restore.log" >&2
        failed+=("$version (molecule restore: $log/molecule-restore.log)")
    fi
    molecule_seconds=$((SECONDS - started))
    # The kit's report says which ansible-core ran the targets: it must be this one.
    if ! grep -q "^- ansible_core: $version\$" "$log/kit/report.md" 2>/dev/null; then
        failed+=("$version (the kit's report does not name ansible-core $version)")
    fi
    printf '{"ansible_core": "%s", "integration_targets_seconds": %d, "molecule_restore_seconds": %d}\n' \
        "$version" "$kit_seconds" "$molecule_seconds" >"$log/figures.json"
    printf -- '---- ansible-core %s: integration targets %d s, molecule restore %d s\n' \
        "$version" "$kit_seconds" "$molecule_seconds"
done
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'ansible-core versions failed: %s\n' "${failed[*]}" >&2
    exit 1
fi
if [ "${#left_out[@]}" -gt 0 ]; then
    echo "left out (not tested here): ${left_out[*]}"
fi
echo "every other ansible-core version that ran passed (${#VERSIONS[@]} asked for, ${#left_out[@]} left out)"
