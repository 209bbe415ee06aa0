"""The roles' key options are checked before any node is touched, and no refusal quotes a
key (plugin_utils._role_options over plugin_utils._signing)."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._role_options import (
    check_role_options,
    load_role_spec,
)
from signing_keys import new_key, pem_body

BACKUP = load_role_spec("backup")
RESTORE = load_role_spec("restore")
PRIVATE, PUBLIC = new_key()


def test_good_keys_pass() -> None:
    assert check_role_options(BACKUP, {"backup_signing_key": PRIVATE}) == []
    assert check_role_options(BACKUP, {"backup_signing_key": ""}) == []
    values = {
        "restore_trusted_keys": [PUBLIC, new_key()[1]],
        "restore_require_signature": True,
        "restore_signing_key": PRIVATE,
    }
    assert check_role_options(RESTORE, values) == []


@pytest.mark.parametrize(
    ("spec", "option"),
    [(BACKUP, "backup_signing_key"), (RESTORE, "restore_signing_key")],
)
def test_a_signing_key_that_does_not_parse_is_refused_unquoted(spec, option: str) -> None:
    broken = PRIVATE[:60] + PRIVATE[70:]
    (refusal,) = check_role_options(spec, {option: broken})
    assert refusal.option == option
    assert pem_body(broken)[:20] not in refusal.text


@pytest.mark.parametrize(
    "value",
    [PRIVATE, [PRIVATE], ["not a key"], {"key": PUBLIC}],
)
def test_trusted_keys_that_are_not_public_keys_are_refused_unquoted(value: object) -> None:
    (refusal,) = check_role_options(RESTORE, {"restore_trusted_keys": value})
    assert refusal.option == "restore_trusted_keys"
    assert pem_body(PRIVATE) not in refusal.text


def test_requiring_signatures_needs_a_trusted_key() -> None:
    values = {"restore_trusted_keys": [], "restore_require_signature": True}
    (refusal,) = check_role_options(RESTORE, values)
    assert refusal.option == "restore_require_signature"
    assert "restore_trusted_keys is empty" in refusal.text
