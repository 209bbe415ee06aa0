# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stops a run with an error when a play matches no host.

ansible-core's `host_pattern_mismatch = error` only covers a pattern part that names
neither a group nor a host. A play still matches nothing, silently ("skipping: no hosts
matched", exit status 0), when its pattern names an empty group, is `all` over an empty
inventory, is an intersection or exclusion that leaves nothing, or when --limit leaves
none of its hosts. ansible-core then sends `v2_playbook_on_no_hosts_matched` (the
playbook executor, when a play has no batch); this plugin turns that into a failed run.
"""

from __future__ import annotations

from ansible.playbook.play import Play
from ansible.plugins.callback import CallbackBase
from ansible.utils.display import Display

DOCUMENTATION = """
name: no_hosts_fail
type: aggregate
short_description: Fails the run when a play matches no host
description:
  - When a play's host pattern selects no host, prints an error naming the play and its
    pattern and ends the run with exit status 1, before any later play runs.
  - A test tool of this collection; the test configuration enables it beside
    C(host_pattern_mismatch = error).
options: {}
"""

# ansible-core's exit status for a failed run (ansible.errors.ExitCode.GENERIC_ERROR from
# 2.19; the same 1 in the earlier versions, which have no such name).
GENERIC_ERROR = 1


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "no_hosts_fail"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display: Display | None = None) -> None:
        super().__init__(display=display)
        self._play: Play | None = None

    def v2_playbook_on_play_start(self, play: Play) -> None:
        # The executor sends play_start just before no_hosts_matched; keep the play so the
        # error can name it and its pattern.
        self._play = play

    def v2_playbook_on_no_hosts_matched(self) -> None:
        name = self._play.get_name() if self._play is not None else "?"
        hosts = self._play.hosts if self._play is not None else "?"
        self._display.error(
            f"play {name!r} matched no host (hosts: {hosts!r}): a play that runs on no host "
            "proves nothing, so this run fails (callback no_hosts_fail)"
        )
        # The task queue manager turns any Exception a callback raises into a warning (its
        # default callback dispatch error behaviour in ansible-core 2.19), so the run is
        # ended with SystemExit, which it lets through; the playbook executor's finally
        # block still stops the workers and removes the temporary files.
        raise SystemExit(GENERIC_ERROR)

    # v2_playbook_on_no_hosts_remaining is not handled: the strategies send it only when
    # every host of the play has failed or is unreachable, and such a run already ends
    # with a non-zero exit status.
