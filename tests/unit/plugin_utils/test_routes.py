"""Which backup route a node can use."""

from __future__ import annotations

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._routes import (
    AUTO,
    CLUSAPI,
    VSS,
    HostBackupFacts,
    available_routes,
    os_version_tuple,
    resolve_route,
)

SERVER_2022 = HostBackupFacts("10.0.20348", windows_server_backup=True, wbadmin=True)
SERVER_2022_NO_WSB = HostBackupFacts("10.0.20348", windows_server_backup=False, wbadmin=False)
SERVER_2008 = HostBackupFacts("6.0.6001", windows_server_backup=True, wbadmin=True)
SERVER_2003 = HostBackupFacts("5.2.3790", windows_server_backup=False, wbadmin=False)


def test_version_tuple() -> None:
    assert os_version_tuple("10.0.20348") == (10, 0)
    assert os_version_tuple(" 6.1.7601 ") == (6, 1)
    assert os_version_tuple("Windows") is None
    assert os_version_tuple("") is None


def test_modern_server_with_the_feature_has_vss_only() -> None:
    routes = available_routes(SERVER_2022)
    assert routes.available == (VSS,)
    assert routes.auto == VSS
    assert "120" in routes.reasons[CLUSAPI]


def test_modern_server_without_the_feature_has_nothing() -> None:
    routes = available_routes(SERVER_2022_NO_WSB)
    assert routes.available == ()
    assert routes.auto is None
    assert "Windows Server Backup" in routes.reasons[VSS]


def test_feature_without_wbadmin() -> None:
    facts = HostBackupFacts("10.0.17763", windows_server_backup=True, wbadmin=False)
    assert "wbadmin.exe was not found" in available_routes(facts).reasons[VSS]


def test_server_2003_has_clusapi_only() -> None:
    routes = available_routes(SERVER_2003)
    assert routes.available == (CLUSAPI,)
    assert routes.auto == CLUSAPI
    assert "2008" in routes.reasons[VSS]


def test_server_2003_without_clusapi_dll() -> None:
    facts = HostBackupFacts("5.2.3790", False, False, clusapi=False)
    assert available_routes(facts).available == ()


def test_older_than_2003_has_nothing() -> None:
    routes = available_routes(HostBackupFacts("5.0.2195", False, False))
    assert routes.available == ()
    assert "only on Windows Server 2003" in routes.reasons[CLUSAPI]


def test_unreadable_version() -> None:
    routes = available_routes(HostBackupFacts("unknown", True, True))
    assert routes.available == ()
    assert "could not be read" in routes.reasons[VSS]


def test_unc_target_needs_2008_r2() -> None:
    assert available_routes(SERVER_2008, unc_target=True).available == ()
    assert available_routes(SERVER_2008).available == (VSS,)
    r2 = HostBackupFacts("6.1.7601", True, True)
    assert available_routes(r2, unc_target=True).available == (VSS,)


def test_as_facts_shape() -> None:
    facts = available_routes(SERVER_2022).as_facts()
    assert facts["available"] == ["vss"]
    assert facts["auto"] == "vss"
    assert set(facts["reasons"]) == {CLUSAPI}


def test_from_cluster_info() -> None:
    facts = HostBackupFacts.from_cluster_info(
        {
            "os": {"name": "Windows Server 2019", "version": "10.0.17763"},
            "backup_tools": {"windows_server_backup": True, "wbadmin": True, "clusapi": True},
        }
    )
    assert facts == HostBackupFacts("10.0.17763", True, True, True)
    assert HostBackupFacts.from_cluster_info({}) == HostBackupFacts("", False, False, True)


@pytest.mark.parametrize(
    ("requested", "facts", "expected"),
    [
        (AUTO, SERVER_2022, VSS),
        (VSS, SERVER_2022, VSS),
        (AUTO, SERVER_2003, CLUSAPI),
        (CLUSAPI, SERVER_2003, CLUSAPI),
    ],
)
def test_resolve(requested: str, facts: HostBackupFacts, expected: str) -> None:
    assert resolve_route(requested, facts) == expected


def test_clusapi_on_2008_and_later_is_refused_naming_vss() -> None:
    with pytest.raises(PolicyRefusal) as caught:
        resolve_route(CLUSAPI, SERVER_2022, node="NODE1")
    assert "route=clusapi cannot be used on NODE1" in caught.value.problem
    assert "120" in caught.value.problem
    assert "route=vss" in caught.value.fix


def test_clusapi_on_2008_without_the_feature_says_install_it() -> None:
    with pytest.raises(PolicyRefusal) as caught:
        resolve_route(CLUSAPI, SERVER_2022_NO_WSB)
    assert "route=vss" in caught.value.fix
    assert "Install-WindowsFeature Windows-Server-Backup" in caught.value.fix


def test_vss_on_2003_is_refused_naming_clusapi() -> None:
    with pytest.raises(PolicyRefusal) as caught:
        resolve_route(VSS, SERVER_2003)
    assert "route=clusapi" in caught.value.fix


def test_auto_with_nothing_available_names_each_reason() -> None:
    with pytest.raises(PolicyRefusal) as caught:
        resolve_route(AUTO, SERVER_2022_NO_WSB, node="NODE3")
    assert "No backup route is available on NODE3" in caught.value.problem
    assert "clusapi:" in caught.value.problem and "vss:" in caught.value.problem
    assert "Windows-Server-Backup" in caught.value.fix


def test_auto_on_an_old_system_says_upgrade() -> None:
    with pytest.raises(PolicyRefusal) as caught:
        resolve_route(AUTO, HostBackupFacts("5.0", False, False))
    assert "Windows Server 2008 or later" in caught.value.fix


def test_unknown_route() -> None:
    with pytest.raises(PolicyRefusal, match="not known"):
        resolve_route("tape", SERVER_2022)
