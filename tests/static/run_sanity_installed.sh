#!/usr/bin/env bash
# ansible-test sanity over the collection as a user installs it, not over the checkout:
#   1. `ansible-galaxy collection build` from the checkout into a temporary directory
#   2. `ansible-galaxy collection install --offline` of that tarball, with the copy of
#      ansible.windows scripts/bootstrap.sh unpacked (no Galaxy), into a fresh tree
#   3. ansible-test sanity there, with run_sanity.sh's options and test list (every test
#      ansible-test runs by default, none named), so that what build_ignore leaves out
#      (the lab, the pytest tests, the static checks) is not something shipped code needs.
# Without the checkout's Ansible settings (ANSIBLE_CONFIG, ANSIBLE_COLLECTIONS_PATH): the
# installed tree finds ansible.windows beside it, as in a user's project.
# The sanity venvs under ~/.ansible/test/venv are the ones run_sanity.sh made, so a run
# costs the tests themselves, not their installs.
# Usage (after `. scripts/bootstrap.sh`): bash tests/static/run_sanity_installed.sh [ansible-test options]
set -euo pipefail
: "${WSFC_ROOT:?run '. scripts/bootstrap.sh' first}"
: "${WSFC_CACHE:?run '. scripts/bootstrap.sh' first}"
static_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
windows="$WSFC_CACHE/collections/ansible_collections/ansible/windows"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH

# A home of their own for the galaxy commands: nothing installed before is seen.
galaxy() {
    ANSIBLE_HOME="$work/ansible-home" ANSIBLE_COLLECTIONS_PATH="$work/collections" \
        ansible-galaxy collection "$@" >/dev/null
}
galaxy build --output-path "$work/dist" "$WSFC_ROOT"
tarball=("$work"/dist/wsfc-clusterdb-*.tar.gz)
galaxy install --offline -p "$work/collections" "${tarball[0]}" "$windows"
installed="$work/collections/ansible_collections/wsfc/clusterdb"
echo "sanity over the installed tree: ${tarball[0]##*/} in $installed"

python "$static_dir/check_sanity_ignores.py" --collection-root "$installed"
python "$static_dir/install_pip_bootstrap.py" --python-version 3.11
cd "$installed"
# No symlink on this path (unlike the checkout's), but set as run_sanity.sh sets it.
export ANSIBLE_TEST_CONTENT_ROOT="$installed"
ansible-test sanity --local --python 3.11 --color no "$@"
