"""The second-hop decision (plugin_utils._second_hop) and the second_hop filter."""

from __future__ import annotations

import pytest
from ansible import context
from ansible.module_utils.common.collections import ImmutableDict
from ansible_collections.wsfc.clusterdb.plugins.filter.second_hop import second_hop
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._second_hop import (
    BASIC,
    CERTIFICATE,
    CREDSSP,
    KERBEROS,
    NEGOTIATE,
    NTLM,
    BecomeDefaults,
    ConnectionSettings,
    assess,
    second_hop_refusal,
    second_hop_refusals,
    unc_paths,
)

SHARE = "\\\\fs01\\clusterbackups"
NTLM_HOST = {
    "ansible_connection": "winrm",
    "ansible_winrm_transport": "ntlm",
    "ansible_user": "CORP\\svc-backup",
    "ansible_password": "secret-connection",
}
RUNAS = {
    "ansible_become": True,
    "ansible_become_method": "runas",
    "ansible_become_user": "CORP\\svc-backup",
    "ansible_become_password": "secret-become",
}


def credentials(variables: dict, defaults: BecomeDefaults | None = None) -> bool | None:
    return assess(ConnectionSettings.from_variables(variables, defaults)).credentials


# -- reading the connection --------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "mechanism"),
    [
        ({"ansible_winrm_transport": "ntlm"}, NTLM),
        ({"ansible_winrm_transport": ["kerberos", "ntlm"]}, KERBEROS),
        ({"ansible_winrm_transport": "credssp,ntlm"}, CREDSSP),
        ({"ansible_winrm_transport": "plaintext"}, BASIC),
        ({"ansible_winrm_transport": "ssl"}, BASIC),
        ({"ansible_winrm_transport": "ssl", "ansible_winrm_cert_pem": "/c.pem"}, CERTIFICATE),
        # The winrm plugin's default: Kerberos for a UPN, Basic otherwise.
        ({"ansible_user": "svc@corp.example.com"}, KERBEROS),
        ({"ansible_user": "Administrator"}, BASIC),
    ],
)
def test_the_winrm_transport_is_read_as_the_plugin_picks_it(variables, mechanism):
    settings = ConnectionSettings.from_variables({"ansible_connection": "winrm", **variables})

    assert settings.plugin == "winrm"
    assert settings.mechanism == mechanism


def test_psrp_negotiates_by_default_and_connection_names_may_be_qualified():
    settings = ConnectionSettings.from_variables({"ansible_connection": "ansible.builtin.psrp"})

    assert (settings.plugin, settings.mechanism) == ("psrp", NEGOTIATE)


# -- who has credentials -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        (NTLM_HOST, False),
        ({**NTLM_HOST, "ansible_winrm_transport": "kerberos"}, False),
        (
            {
                **NTLM_HOST,
                "ansible_winrm_transport": "kerberos",
                "ansible_winrm_kerberos_delegation": "yes",
            },
            True,
        ),
        ({**NTLM_HOST, "ansible_winrm_transport": "credssp"}, True),
        ({**NTLM_HOST, "ansible_winrm_transport": "certificate"}, False),
        # Basic (local accounts): not refused (unconfirmed, see the module).
        ({**NTLM_HOST, "ansible_winrm_transport": "basic"}, False),
        ({"ansible_connection": "psrp", "ansible_psrp_auth": "ntlm"}, False),
        ({"ansible_connection": "psrp"}, False),
        ({"ansible_connection": "psrp", "ansible_psrp_negotiate_delegate": True}, True),
        ({"ansible_connection": "psrp", "ansible_psrp_auth": "kerberos"}, False),
        ({"ansible_connection": "ssh"}, None),
        ({**NTLM_HOST, "ansible_winrm_transport": "something-new"}, None),
        ({**NTLM_HOST, **RUNAS}, True),
        ({"ansible_connection": "psrp", **RUNAS}, True),
    ],
)
def test_which_connections_give_modules_credentials_for_another_computer(variables, expected):
    assert credentials(variables) is expected


def test_become_counts_only_with_runas_and_a_password_and_not_as_a_network_logon():
    without_password = {k: v for k, v in RUNAS.items() if k != "ansible_become_password"}

    assert credentials({**NTLM_HOST, **RUNAS, "ansible_become_method": "sudo"}) is False
    assert credentials({**NTLM_HOST, **RUNAS, "ansible_become": "false"}) is False
    assert credentials({**NTLM_HOST, **without_password}) is False
    assert credentials({**NTLM_HOST, **without_password, "ansible_become_user": "SYSTEM"})
    network = {**NTLM_HOST, **RUNAS, "ansible_become_flags": "logon_type=network"}
    assert credentials(network) is False
    flags = "logon_type=new_credentials logon_flags=netcredentials_only"
    assert credentials({**NTLM_HOST, **RUNAS, "ansible_become_flags": flags}) is True
    assert credentials({**NTLM_HOST, **without_password, "ansible_runas_pass": "x"}) is True


def test_the_controllers_become_default_applies_where_the_host_sets_none():
    runas = {k: v for k, v in RUNAS.items() if k != "ansible_become"}
    dash_b = BecomeDefaults(become=True, method="sudo")

    assert credentials({**NTLM_HOST, **runas}, dash_b) is True
    assert credentials({**NTLM_HOST, **runas, "ansible_become": False}, dash_b) is False
    assert credentials({**NTLM_HOST, **runas}) is False
    # -K: the password is asked for, not in the variables.
    asked = BecomeDefaults(become=True, method="runas", ask_password=True)
    assert credentials(NTLM_HOST, asked) is True
    assert credentials(NTLM_HOST, BecomeDefaults(become=True, method="runas")) is False


# -- which paths matter --------------------------------------------------------------------


def test_only_unc_paths_need_the_second_hop():
    paths = [SHARE, "//fs02/share", "\\\\?\\UNC\\fs03\\s", "D:\\Backups", "\\\\?\\D:\\x", "", None]

    assert unc_paths(paths) == [SHARE, "//fs02/share", "\\\\?\\UNC\\fs03\\s"]


# -- the refusal -----------------------------------------------------------------------------


def test_the_refusal_names_the_host_the_share_the_connection_and_each_fix():
    settings = ConnectionSettings.from_variables(NTLM_HOST)

    refusal = second_hop_refusal("NODE1", settings, [SHARE, "D:\\x"], "backup location")

    assert refusal is not None
    assert refusal.problem.startswith("NODE1: ")
    assert f"the backup location {SHARE} " in refusal.problem
    assert "second hop" in refusal.problem
    assert "winrm with NTLM, no become" in refusal.problem
    assert "ERROR_ACCESS_DENIED, 5" in refusal.problem
    for fix in (
        "ansible_become: true",
        "ansible_become_method: runas",
        "ansible_winrm_kerberos_delegation: true",
        "ansible_winrm_transport: credssp",
    ):
        assert fix in refusal.fix
    assert "secret" not in str(refusal)


def test_no_refusal_without_a_unc_path_or_with_credentials():
    ntlm = ConnectionSettings.from_variables(NTLM_HOST)
    runas = ConnectionSettings.from_variables({**NTLM_HOST, **RUNAS})

    assert second_hop_refusal("NODE1", ntlm, ["D:\\Backups", "E:\\"], "backup location") is None
    assert second_hop_refusal("NODE1", runas, [SHARE], "backup location") is None


def test_a_missing_become_password_is_named_in_the_fix():
    variables = {**NTLM_HOST, **RUNAS, "ansible_become_password": ""}

    refusal = second_hop_refusal(
        "NODE1", ConnectionSettings.from_variables(variables), [SHARE], "backup location"
    )

    assert refusal is not None
    assert "runas become as CORP\\svc-backup without a password" in refusal.problem
    assert "set ansible_become_password" in refusal.fix


def test_refusals_are_per_host_in_the_inventory_order():
    hosts = {"NODE1": NTLM_HOST, "NODE2": {**NTLM_HOST, **RUNAS}, "NODE3": NTLM_HOST}

    refusals = second_hop_refusals(hosts, [SHARE, SHARE + "2"], "backup location")

    assert list(refusals) == ["NODE1", "NODE3"]
    assert f"the backup locations {SHARE}, {SHARE}2 " in refusals["NODE3"].problem


# -- the filter --------------------------------------------------------------------------


@pytest.fixture
def cli_arguments(monkeypatch):
    """Set the run's command-line arguments as ansible-playbook would (-b, -K, ...)."""

    def set_arguments(**arguments):
        monkeypatch.setattr(context, "CLIARGS", ImmutableDict(arguments))

    set_arguments()
    return set_arguments


def test_the_filter_gives_every_problem_and_each_fix_once(cli_arguments):
    result = second_hop(
        {"NODE1": NTLM_HOST, "NODE2": NTLM_HOST, "NODE3": {**NTLM_HOST, **RUNAS}},
        [SHARE],
        "backup location",
    )

    assert result["hosts"] == ["NODE1", "NODE2"]
    assert len(result["refusals"]) == 2
    assert result["msg"].count("NODE1: ") == 1 and result["msg"].count("NODE2: ") == 1
    assert result["msg"].count("ansible_become_method: runas") == 1


def test_the_filter_lets_hosts_through_that_can_reach_the_share(cli_arguments):
    result = second_hop({"NODE1": {**NTLM_HOST, **RUNAS}}, [SHARE], "backup location")

    assert result == {"refusals": [], "hosts": [], "msg": ""}


def test_the_filter_takes_dash_b_as_the_default_become(cli_arguments):
    runas = {k: v for k, v in RUNAS.items() if k != "ansible_become"}
    cli_arguments(become=True, become_method="runas")

    assert second_hop({"NODE1": {**NTLM_HOST, **runas}}, [SHARE], "x")["hosts"] == []
    cli_arguments()
    assert second_hop({"NODE1": {**NTLM_HOST, **runas}}, [SHARE], "x")["hosts"] == ["NODE1"]
