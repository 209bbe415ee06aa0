#!/usr/bin/env bash
# Every supported ansible-core besides the main one (requirements.txt, which runs the whole
# suite): each in a virtual environment of its own under .cache/venvs, where it runs the
# module integration targets (the validation kit's targets against a two-node lab, through
# that version's ansible-test windows-integration) and the molecule scenario restore.
# meta/runtime.yml's requires_ansible names what is tested here.
#
# A version on the main environment's Python holds ansible-core and what it needs that the
# main environment lacks in the range it asks for (resolvelib for ansible-galaxy);
# everything else (pywinrm, molecule, the lab) comes from the main environment, read after
# its own packages, so that an environment costs seconds rather than a full install.
# VERSION@PYTHON (the newest ansible-core, which needs a newer Python) gets a full
# environment on that Python, with the pins of requirements.txt that the runs need; when
# the machine has no such Python (python3.X on PATH or under pyenv), it is left out, and
# said so.
#   tests/versions/run_versions.sh [PART] [VERSION[@PYTHON] ...]
# PART: environments (make the missing ones), targets, restore, or all (the default: the
# three in turn, per version). The test command makes the environments first, then runs the
# targets and the restores side by side (scripts/test.sh). VERSION: default every one below.
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/bootstrap.sh"
cd "$WSFC_ROOT"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 NO_COLOR=1 PY_COLORS=0

# Automation Platform 2.5 ships 2.16; 2.17 and 2.18 are the releases between it and 2.19;
# 2.21 is the newest, and needs Python 3.12.
VERSIONS=(2.16.19 2.17.14 2.18.19 2.21.5@3.12)
# The packages of requirements.txt a full environment needs for the kit and molecule.
FULL_PACKAGES='^(pywinrm|pypsrp|psrpcore|paramiko|pyspnego|requests|cryptography|PyYAML|rich|molecule)=='

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
part=all
case "${1:-}" in
environments | targets | restore | all) part="$1"; shift ;;
esac
if [ "$#" -gt 0 ]; then VERSIONS=("$@"); fi

main_site="$("$WSFC_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
out="$WSFC_ROOT/tests/output/versions"
mkdir -p "$out"
failed=()
left_out=()

# The environment of $entry (made once, kept under .cache/venvs); fails (status 1) when it
# cannot be made, and says so in left_out or failed.
make_environment() {
    local entry="$1" version="${1%@*}" venv wanted python site
    venv="$WSFC_CACHE/venvs/ansible-core-$version"
    [ -x "$venv/bin/ansible-playbook" ] && return 0
    if [ "$entry" != "$version" ]; then
        wanted="${entry#*@}"
        if ! python="$(find_python "$wanted")"; then
            left_out+=("$version (no Python $wanted)")
            return 1
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
    [ -x "$venv/bin/ansible-playbook" ] && return 0
    failed+=("$version (its environment could not be made)")
    return 1
}

# Fails (status 1, said in failed) unless the environment runs $version, its
# ansible-playbook first on PATH: what the kit and molecule start is found there.
check_environment() {
    local version="$1" venv="$2" got playbook_version
    got="$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')"
    if [ "$got" != "$version" ]; then
        failed+=("$version (its environment runs $got)")
        return 1
    fi
    playbook_version="$(PATH="$venv/bin:$PATH" ansible-playbook --version)"
    if [[ "${playbook_version%%$'\n'*}" != *"[core $version]"* ]]; then
        failed+=("$version (ansible-playbook on PATH is not this version's)")
        return 1
    fi
}

# The integration targets only: the kit's real_cluster scenario restores the way the
# molecule restore scenario does, so each version runs one restore scenario, the molecule one.
run_targets() {
    local version="$1" venv="$2" log="$3"
    rm -rf "$log/kit" "$log/kit.log"
    if ! PATH="$venv/bin:$PATH" "$venv/bin/python" tests/kit/kit.py lab --no-scenario \
        --report "$log/kit" >"$log/kit.log" 2>&1; then
        tail -n 20 "$log/kit.log" >&2
        failed+=("$version (integration targets: $log/kit)")
    # The kit's report says which ansible-core ran the targets: it must be this one.
    elif ! grep -q "^- ansible_core: $version\$" "$log/kit/report.md" 2>/dev/null; then
        failed+=("$version (the kit's report does not name ansible-core $version)")
    fi
}

run_restore() {
    local version="$1" venv="$2" log="$3"
    if ! PATH="$venv/bin:$PATH" "$venv/bin/python" -m molecule test -s restore \
        >"$log/molecule-restore.log" 2>&1; then
        tail -n 30 "$log/molecule-restore.log" >&2
        failed+=("$version (molecule restore: $log/molecule-restore.log)")
    fi
}

for entry in "${VERSIONS[@]}"; do
    version="${entry%@*}"
    venv="$WSFC_CACHE/venvs/ansible-core-$version"
    log="$out/$version"
    mkdir -p "$log"
    printf '\n---- ansible-core %s: %s ----\n' "$entry" "$part"
    make_environment "$entry" || continue
    [ "$part" = environments ] && continue
    check_environment "$version" "$venv" || continue
    for step in targets restore; do
        [ "$part" = all ] || [ "$part" = "$step" ] || continue
        started=$SECONDS
        "run_$step" "$version" "$venv" "$log"
        seconds=$((SECONDS - started))
        printf '{"ansible_core": "%s", "%s_seconds": %d}\n' "$version" "$step" "$seconds" \
            >"$log/$step.json"
        printf -- '---- ansible-core %s: %s %d s\n' "$version" "$step" "$seconds"
    done
done
if [ "${#left_out[@]}" -gt 0 ]; then
    echo "left out (not tested here): ${left_out[*]}"
fi
if [ "${#failed[@]}" -gt 0 ]; then
    printf 'ansible-core versions failed (%s): %s\n' "$part" "${failed[*]}" >&2
    exit 1
fi
echo "ansible-core versions, $part: ${#VERSIONS[@]} asked for, ${#left_out[@]} left out, none failed"
