#!/usr/bin/env bash
# Installs everything the demo and the tests need, on a fresh Debian 12 machine with
# Python 3.11, and does nothing the second time unless an input changed.
#   - .venv: the pinned Python requirements and the lab package (editable)
#   - Debian's Mono C# compiler and runtime (the clusapi P/Invoke util is compiled and
#     called through Mono in the tests)
#   - Debian's chromium (the drift report's HTML is rendered headless in the tests)
#   - Debian's openssh-server: sshd, which the lab runs itself for its SSH endpoints
#   - Debian's MIT Kerberos: the KDC and kadmin.local (the lab's realm), kinit (Ansible's
#     managed kinit) and libkrb5-dev, which the gssapi, krb5 and pykerberos wheels build on
#   - ansible.windows, unpacked from PyPI's `ansible` bundle (no Galaxy here)
#   - a collections tree under .cache/collections where this checkout is
#     ansible_collections/wsfc/clusterdb (ansible-test needs that path shape)
# Source it (`. scripts/bootstrap.sh`) to get the environment exported too; the caller's
# shell options are restored at the end.
# `set +o` runs in a command substitution, where bash clears errexit: the caller's -e is
# taken from $- instead, so that a script that sources this file keeps stopping on errors.
_wsfc_caller_options="$(set +o)"
case $- in *e*) _wsfc_caller_options="$_wsfc_caller_options"$'\n'"set -o errexit" ;; esac
set -euo pipefail

WSFC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WSFC_CACHE="$WSFC_ROOT/.cache"
WSFC_VENV="$WSFC_ROOT/.venv"
ANSIBLE_BUNDLE_VERSION="12.3.0"   # carries ansible.windows 3.3.0
mkdir -p "$WSFC_CACHE"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# MIT Kerberos, before the venv: pip builds gssapi, krb5 and pykerberos against libkrb5-dev.
# The packages' services are not used (the lab runs its own krb5kdc, docs/lab.md).
if ! command -v krb5-config >/dev/null 2>&1 || [ ! -x /usr/sbin/krb5kdc ] \
    || [ ! -x /usr/sbin/kadmin.local ] || ! command -v kinit >/dev/null 2>&1; then
    log "installing Debian's krb5-kdc, krb5-admin-server, krb5-user and libkrb5-dev"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends \
        krb5-kdc krb5-admin-server krb5-user libkrb5-dev gcc >/dev/null
fi

# Python: a venv with the pinned requirements; re-run only when requirements change.
req_stamp="$WSFC_CACHE/requirements.sha256"
req_sum="$(cat "$WSFC_ROOT/requirements.txt" "$WSFC_ROOT/tests/lab/pyproject.toml" | sha256sum | cut -d' ' -f1)"
if [ ! -x "$WSFC_VENV/bin/python" ] || [ "$(cat "$req_stamp" 2>/dev/null)" != "$req_sum" ]; then
    log "creating the virtual environment in .venv"
    python3 -m venv "$WSFC_VENV"
    "$WSFC_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$WSFC_ROOT/requirements.txt"
    "$WSFC_VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$WSFC_ROOT/tests/lab"
    echo "$req_sum" > "$req_stamp"
fi

# Mono: mcs compiles the C# utils (-langversion:5 is what Windows PowerShell 5.1 accepts).
if ! command -v mcs >/dev/null 2>&1 || ! command -v mono >/dev/null 2>&1; then
    log "installing Debian's mono-mcs and mono-runtime"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends mono-mcs mono-runtime >/dev/null
fi

# Chromium: the drift report's tests render the HTML report headless (--dump-dom), and
# docs/drift.md's screenshot is taken with it.
if ! command -v chromium >/dev/null 2>&1; then
    log "installing Debian's chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

# OpenSSH server: the lab's nodes answer SSH through a real sshd that the lab starts itself
# (`sshd -f <lab dir>/ssh/sshd_config -D`, wsfc_lab.ssh); the packaged service is not used.
if [ ! -x /usr/sbin/sshd ] || ! command -v ssh-keygen >/dev/null 2>&1; then
    log "installing Debian's openssh-server"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends openssh-server >/dev/null
fi

# ansible.windows: the roles use its modules; unpack only that collection from the bundle.
coll="$WSFC_CACHE/collections/ansible_collections"
if [ ! -f "$coll/ansible/windows/MANIFEST.json" ]; then
    log "unpacking ansible.windows from ansible==$ANSIBLE_BUNDLE_VERSION"
    dl="$WSFC_CACHE/downloads"
    mkdir -p "$dl" "$coll/ansible"
    whl="$dl/ansible-$ANSIBLE_BUNDLE_VERSION-py3-none-any.whl"
    if [ ! -f "$whl" ]; then
        "$WSFC_VENV/bin/pip" download --quiet --disable-pip-version-check --no-deps \
            -d "$dl" "ansible==$ANSIBLE_BUNDLE_VERSION"
    fi
    "$WSFC_VENV/bin/python" - "$whl" "$WSFC_CACHE/collections" <<'PY'
import sys
import zipfile

wheel, dest = sys.argv[1], sys.argv[2]
prefix = "ansible_collections/ansible/windows/"
with zipfile.ZipFile(wheel) as zf:
    zf.extractall(dest, [n for n in zf.namelist() if n.startswith(prefix)])
PY
fi
mkdir -p "$coll/wsfc"
if [ "$(readlink "$coll/wsfc/clusterdb" 2>/dev/null)" != "$WSFC_ROOT" ]; then
    rm -rf "$coll/wsfc/clusterdb"
    ln -s "$WSFC_ROOT" "$coll/wsfc/clusterdb"
fi

export WSFC_ROOT WSFC_CACHE WSFC_VENV
export PATH="$WSFC_VENV/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$WSFC_CACHE/collections"
export ANSIBLE_HOME="$WSFC_CACHE/ansible-home"
export ANSIBLE_CONFIG="$WSFC_ROOT/tests/ansible.cfg"
eval "$_wsfc_caller_options"
unset _wsfc_caller_options
