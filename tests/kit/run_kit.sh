#!/usr/bin/env bash
# The validation kit against a cluster: every integration target of the collection through
# ansible-test windows-integration, then the molecule scenario real_cluster, with an evidence
# report (report.md, report.json and the logs) in the report directory.
#   tests/kit/run_kit.sh INVENTORY [REPORT_DIR]
# INVENTORY is the cluster's INI inventory.winrm; the targets and the scenario that change the
# cluster run only when it sets clusterdb_kit_allow_changes=true (docs/validating-on-a-real-cluster.md).
set -euo pipefail
if [ "$#" -lt 1 ] || [ "$#" -gt 2 ]; then
    echo "usage: $0 INVENTORY [REPORT_DIR]  (see docs/validating-on-a-real-cluster.md)" >&2
    exit 2
fi
inventory="$(realpath "$1")"
report="$(realpath -m "${2:-clusterdb-kit-report}")"
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/bootstrap.sh"
exec python "$WSFC_ROOT/tests/kit/kit.py" run --inventory "$inventory" --report "$report"
