"""The endpoint's building blocks: command-line splitting, durations, accounts, the
certificate and the NTLM credential file."""

import ipaddress
import os
from pathlib import Path

import pytest
from cryptography import x509
from wsfc_lab.winrm.accounts import NTLM_USER_FILE, LocalAccounts
from wsfc_lab.winrm.certificate import generate_certificate
from wsfc_lab.winrm.command_line_to_argv import split_command_line
from wsfc_lab.winrm.soap import parse_duration


@pytest.mark.parametrize(
    ("line", "argv"),
    [
        ("", []),
        ("ipconfig", ["ipconfig"]),
        ("  cmd   /c  echo hi ", ["cmd", "/c", "echo", "hi"]),
        ('"C:\\Program Files\\x.exe" a "b c"', ["C:\\Program Files\\x.exe", "a", "b c"]),
        ('prog a\\\\\\"b c\\d', ["prog", 'a\\"b', "c\\d"]),
        ('prog "a\\\\" b', ["prog", "a\\", "b"]),
        ('prog "say ""hi"""', ["prog", 'say "hi"']),
        ('prog ""', ["prog", ""]),
        (
            "PowerShell -NoProfile -EncodedCommand QQA=",
            ["PowerShell", "-NoProfile", "-EncodedCommand", "QQA="],
        ),
    ],
)
def test_command_lines_split_as_windows_splits_them(line, argv):
    assert split_command_line(line) == argv


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT20S", 20.0), ("PT60.000S", 60.0), ("PT1M30S", 90.0), ("P1DT1H", 90000.0), ("bad", 7.0)],
)
def test_operation_timeouts_are_read_as_seconds(text, seconds):
    assert parse_duration(text, default=7.0) == seconds


def test_local_accounts_match_like_windows_local_accounts():
    accounts = LocalAccounts({"Administrator": "Secret1", "LAB\\operator": "Secret2"})

    assert accounts.check_password("administrator", "Secret1")
    assert accounts.check_password(".\\Administrator", "Secret1")
    assert accounts.check_password("NODE1\\Administrator", "Secret1")
    assert not accounts.check_password("Administrator", "secret1")
    assert accounts.check_password("lab\\OPERATOR", "Secret2")
    assert accounts.check_password("operator", "Secret2")
    assert not accounts.check_password("OTHER\\operator", "Secret2")
    assert not accounts.knows("guest")


def test_the_ntlm_credential_file_holds_every_form_of_each_account():
    NTLM_USER_FILE.register(LocalAccounts({"PARTS\\parts-user": "Parts-Pw1"}))

    lines = Path(os.environ["NTLM_USER_FILE"]).read_text().splitlines()
    assert {":PARTS-USER:Parts-Pw1", ".:PARTS-USER:Parts-Pw1", "PARTS:PARTS-USER:Parts-Pw1"} <= set(
        lines
    )
    with pytest.raises(ValueError, match="different passwords"):
        NTLM_USER_FILE.register(LocalAccounts({"parts-user": "Another-Pw"}))


def test_certificate_names_hosts_and_addresses_and_is_reused(tmp_path):
    certificate_file, key_file = generate_certificate(
        tmp_path, ["node1", "node1.lab"], ["127.0.77.200"]
    )
    first = certificate_file.read_bytes()

    again = generate_certificate(tmp_path, ["other"], ["127.0.77.201"])

    assert again == (certificate_file, key_file)
    assert certificate_file.read_bytes() == first
    assert key_file.stat().st_mode & 0o077 == 0
    names = (
        x509.load_pem_x509_certificate(first)
        .extensions.get_extension_for_class(x509.SubjectAlternativeName)
        .value
    )
    assert names.get_values_for_type(x509.DNSName) == ["node1", "node1.lab"]
    assert names.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address("127.0.77.200")]
