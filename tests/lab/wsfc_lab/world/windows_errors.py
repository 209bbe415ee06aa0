"""Windows errors raised by the simulated world, with the Win32 codes the lab uses.

Codes from docs/windows-behaviour.md#win32-error-codes (winerror.h). The few that page
does not list (ERROR_FILE_NOT_FOUND, ERROR_PATH_NOT_FOUND, ERROR_BAD_NETPATH,
ERROR_BAD_NET_NAME, ERROR_DISK_FULL) are the
standard winerror.h values; docs/lab.md names ERROR_DISK_FULL for the disk_full fault.
"""

from __future__ import annotations

ERROR_FILE_NOT_FOUND = 2
ERROR_PATH_NOT_FOUND = 3
ERROR_ACCESS_DENIED = 5
ERROR_BAD_NETPATH = 53
ERROR_BAD_NET_NAME = 67
ERROR_DISK_FULL = 112
ERROR_CALL_NOT_IMPLEMENTED = 120
ERROR_DIRECTORY = 267
ERROR_SERVICE_DOES_NOT_EXIST = 1060
ERROR_SERVICE_NOT_ACTIVE = 1062
RPC_S_SERVER_UNAVAILABLE = 1722
ERROR_QUORUM_OWNER_ALIVE = 5034
ERROR_NODE_NOT_AVAILABLE = 5036
ERROR_CLUSTER_NODE_NOT_FOUND = 5042
ERROR_CLUSTER_NODE_DOWN = 5050
ERROR_CLUSTER_NODE_UP = 5056
ERROR_CLUSTER_DATABASE_SEQMISMATCH = 5083
ERROR_QUORUM_DISK_NOT_FOUND = 5086
ERROR_DATABASE_BACKUP_CORRUPT = 5087
ERROR_CLUSTER_NO_QUORUM = 5925
ERROR_CLUSTER_NOT_INSTALLED = 5932
ERROR_CLUSTER_BACKUP_IN_PROGRESS = 5949

ERROR_NAMES: dict[int, str] = {
    value: name
    for name, value in globals().items()
    if (name.startswith("ERROR_") or name.startswith("RPC_S_")) and isinstance(value, int)
}

# The system message text (FormatMessage) of the generic codes, as Windows reports them in
# an exception's message. The cluster codes' texts are not on the facts page
# (docs/windows-behaviour.md#win32-error-codes), so those
# are reported by their symbolic name instead of a guessed sentence.
SYSTEM_MESSAGES: dict[int, str] = {
    ERROR_FILE_NOT_FOUND: "The system cannot find the file specified.",
    ERROR_PATH_NOT_FOUND: "The system cannot find the path specified.",
    ERROR_ACCESS_DENIED: "Access is denied.",
    ERROR_BAD_NETPATH: "The network path was not found.",
    ERROR_BAD_NET_NAME: "The network name cannot be found.",
    ERROR_DISK_FULL: "There is not enough space on the disk.",
    ERROR_CALL_NOT_IMPLEMENTED: "This function is not supported on this system.",
    ERROR_DIRECTORY: "The directory name is invalid.",
    ERROR_SERVICE_DOES_NOT_EXIST: "The specified service does not exist as an installed service.",
    ERROR_SERVICE_NOT_ACTIVE: "The service has not been started.",
    RPC_S_SERVER_UNAVAILABLE: "The RPC server is unavailable.",
}


def system_message(code: int) -> str:
    """What Windows says for a code: its system message, else its symbolic name."""
    return SYSTEM_MESSAGES.get(code) or ERROR_NAMES.get(code, f"Windows error {code}")


class WindowsError(Exception):
    """A Windows operation failed with a Win32 error code."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{message} ({ERROR_NAMES.get(code, 'error')} {code})")
        self.code = code
        self.message = message

    @property
    def name(self) -> str:
        return ERROR_NAMES.get(self.code, f"ERROR_{self.code}")
