"""The local accounts an endpoint accepts, and the NTLM credential file pyspnego reads.

pyspnego's NTLM acceptor looks passwords up in the file named by the NTLM_USER_FILE
environment variable, one ``DOMAIN:USER:PASSWORD`` line each (spnego/_ntlm.py,
_get_credential), re-reading it at every authentication. The variable is one per process,
so every endpoint of the process writes its accounts into one shared file, and each
endpoint then accepts only the users of its own accounts (``LocalAccounts.knows``).
"""

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

NTLM_USER_FILE_VARIABLE = "NTLM_USER_FILE"


def split_account(name: str) -> tuple[str, str]:
    """(domain, user) of DOMAIN\\user, .\\user, user@domain or user; "" for no domain."""
    domain, separator, user = name.partition("\\")
    if not separator:
        return "", name
    return ("" if domain == "." else domain), user


class LocalAccounts:
    """User names and passwords, matched as Windows matches a local account.

    The user name is compared without case; a domain part, when both sides give one
    (other than "."), must match too; the password is compared exactly.
    """

    def __init__(self, credentials: dict[str, str]) -> None:
        self._accounts = [(split_account(name), password) for name, password in credentials.items()]

    @property
    def credentials(self) -> dict[str, str]:
        return {
            (f"{domain}\\{user}" if domain else user): password
            for (domain, user), password in self._accounts
        }

    def check_password(self, name: str, password: str) -> bool:
        return any(stored == password for stored in self._passwords_of(name))

    def knows(self, name: str) -> bool:
        return bool(self._passwords_of(name))

    def _passwords_of(self, name: str) -> list[str]:
        domain, user = split_account(name)
        return [
            password
            for (stored_domain, stored_user), password in self._accounts
            if stored_user.lower() == user.lower()
            and (not domain or not stored_domain or stored_domain.lower() == domain.lower())
        ]


class _NtlmUserFile:
    """The process's NTLM_USER_FILE: the accounts of every endpoint, written atomically."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._lines: dict[tuple[str, str], str] = {}
        self._directory: Path | None = None

    def register(self, accounts: LocalAccounts) -> None:
        with self._lock:
            for name, password in accounts.credentials.items():
                domain, user = split_account(name)
                if ":" in user or ":" in domain or ":" in password or "\n" in password:
                    raise ValueError(f"the NTLM credential file cannot hold the account {name!r}")
                # A client may name a local account with no domain, with ".", or with the
                # domain it was configured with; each form needs its own line.
                for line_domain in ("", ".", domain):
                    key = (line_domain.upper(), user.upper())
                    if self._lines.get(key, password) != password:
                        raise ValueError(
                            f"two endpoints of this process give {name!r} different passwords"
                        )
                    self._lines[key] = password
            self._write()

    def _write(self) -> None:
        if self._directory is None:
            self._directory = Path(tempfile.mkdtemp(prefix="wsfc-lab-ntlm-"))
            atexit.register(shutil.rmtree, self._directory, True)
        path = self._directory / "ntlm-users"
        staging = self._directory / "ntlm-users.new"
        text = "".join(
            f"{domain}:{user}:{password}\n" for (domain, user), password in self._lines.items()
        )
        staging.write_text(text, encoding="utf-8")
        staging.chmod(0o600)
        os.replace(staging, path)
        os.environ[NTLM_USER_FILE_VARIABLE] = str(path)


NTLM_USER_FILE = _NtlmUserFile()
