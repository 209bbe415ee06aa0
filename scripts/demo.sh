#!/usr/bin/env bash
# The demo: a 3-node lab cluster served over WinRM on loopback, driven by ansible-playbook
# exactly as a real cluster would be. Installs what is missing first (scripts/bootstrap.sh).
set -euo pipefail
# shellcheck source=scripts/bootstrap.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/bootstrap.sh"
cd "$WSFC_ROOT"
exec python scripts/demo.py "$@"
