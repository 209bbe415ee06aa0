#!/usr/bin/env bash
# The validation kit against one two-node lab, as the test command runs it: starts the lab,
# writes its inventory.winrm with the kit's variables, runs tests/kit/kit.py run against it,
# fails if a password or user name of the lab's inventory is in the report, stops the lab.
# The report lands in tests/output/clusterdb-kit-report.
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/bootstrap.sh"
cd "$WSFC_ROOT"
exec python tests/kit/kit.py lab "$@"
