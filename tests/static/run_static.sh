#!/usr/bin/env bash
# The static test tier, in order; stops at the first check that fails and names it.
#   1. ruff check and ruff format --check (pyproject.toml)
#   2. PowerShell syntax of every .ps1/.psm1 (tree-sitter-pwsh)
#   3. every C# util compiled with mcs -langversion:5, as Add-Type on Windows PowerShell 5.1
#   4. ansible-test sanity --local --python 3.11 (offline pip bootstrap)
#   5. ansible-lint, production profile, offline (.ansible-lint), run beside the sanity runs
#   6. the contract check: PowerShell spec and results vs documentation vs lab emulation
#   -  antsibull-changelog lint: the changelog fragments and changelogs/changelog.yaml
#   -  ansible-test sanity again, over the collection built and installed from its tarball
# Usage, from anywhere: . scripts/bootstrap.sh && bash tests/static/run_static.sh
# Each check prints its duration; the last line sums them up.
set -uo pipefail
: "${WSFC_ROOT:?run '. scripts/bootstrap.sh' first}"
static_dir="$WSFC_ROOT/tests/static"
cd "$WSFC_ROOT"

timings=()
run_check() {
    local name="$1"
    shift
    printf '\n---- static check: %s ----\n' "$name"
    local started=$SECONDS
    "$@"
    local status=$?
    local elapsed=$((SECONDS - started))
    timings+=("$name ${elapsed}s")
    if [ "$status" -ne 0 ]; then
        printf '\nFAILED static check: %s (exit %d, %ds)\n' "$name" "$status" "$elapsed" >&2
        exit 1
    fi
    printf -- '---- %s: passed in %ds\n' "$name" "$elapsed"
}

ruff_all() { ruff check . && ruff format --check .; }

# A broken changelog fragment fails here, before a release would trip over it.
changelog_lint() {
    antsibull-changelog lint && antsibull-changelog lint-changelog-yaml changelogs/changelog.yaml
}

# ansible-lint installs the collection it lints into $ANSIBLE_HOME/collections once and then
# prefers that copy to the checkout: drop it so every run lints the tree as it is now.
lint_current_tree() {
    rm -rf "${ANSIBLE_HOME:?}/collections/ansible_collections/wsfc"
    ansible-lint --nocolor
}

run_check "ruff" ruff_all
run_check "changelog (antsibull-changelog lint)" changelog_lint
run_check "PowerShell syntax" python "$static_dir/check_pwsh_syntax.py"
run_check "PowerShell rules (native-wrapper, powershell-51, literal-path)" python "$static_dir/check_pwsh_rules.py"
run_check "C# utils (mcs -langversion:5)" python "$static_dir/compile_csharp.py"
# ansible-lint shares nothing with ansible-test sanity (its own copy of the collection, under
# $ANSIBLE_HOME; sanity works in tests/output and the installed tree's own directory), and
# each keeps one CPU busy: lint runs beside the two sanity runs, its output printed after.
lint_log="$(mktemp)"
trap 'kill "${lint_pid:-}" 2>/dev/null; rm -f "$lint_log"' EXIT
lint_started=$SECONDS
lint_current_tree >"$lint_log" 2>&1 &
lint_pid=$!
run_check "ansible-test sanity" bash "$static_dir/run_sanity.sh"
run_check "ansible-test sanity, installed from the tarball" bash "$static_dir/run_sanity_installed.sh"
lint_finished() {
    local status=0
    wait "$lint_pid" || status=$?
    cat "$lint_log"
    printf '(ansible-lint ran beside the sanity runs: %ds from its start)\n' "$((SECONDS - lint_started))"
    return "$status"
}
run_check "ansible-lint (production)" lint_finished
run_check "contract check" python "$static_dir/check_contract.py"
run_check "Windows-call contract" python "$static_dir/check_windows_calls.py"

printf '\nstatic checks passed in %ds:' "$SECONDS"
printf ' [%s]' "${timings[@]}"
printf '\n'
