# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one exception type the controller-side policy raises when it refuses an input.

Every refusal carries two parts an operator can act on: what is wrong (``problem``) and
what to do about it (``fix``). Action plugins turn it into ``fail_json(msg=str(err))``.
"""

from __future__ import annotations


class PolicyRefusal(ValueError):
    """An input the policy will not accept, with the problem and the fix named."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem = problem
        self.fix = fix
        super().__init__(f"{problem} {fix}")
