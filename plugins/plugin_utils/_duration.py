# Copyright: contributors to wsfc.clusterdb
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Durations as the options give them (leftover_age, max_age): seconds or a number with a
unit. A module of its own because the option checks of every role read durations and
nothing else of retention (plugin_utils._role_options).
"""

from __future__ import annotations

import re
from datetime import timedelta

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._refusal import PolicyRefusal

_DURATION = re.compile(
    r"^\s*(?P<sign>-?)(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw]?)\s*$", re.IGNORECASE
)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: object, option: str = "leftover_age") -> timedelta:
    """``value`` as a duration: seconds (a number) or a number with a unit (12h, 2d)."""
    if isinstance(value, bool):
        raise PolicyRefusal(
            f"{option} must be a duration such as 1d, not {value!r}.",
            f"Give {option} in seconds or as a number with a unit s, m, h, d or w (12h, 2d).",
        )
    if isinstance(value, int | float):
        if value < 0:
            raise PolicyRefusal(
                f"{option} {value!r} is negative.",
                f"Give {option} as the age after which leftovers are removed, such as 1d.",
            )
        return timedelta(seconds=value)
    match = _DURATION.match(str(value))
    if match and match["sign"]:
        raise PolicyRefusal(
            f"{option} {value!r} is negative.",
            f"Give {option} as the age after which leftovers are removed, such as 1d.",
        )
    if not match:
        raise PolicyRefusal(
            f"{option} {value!r} is not a duration.",
            f"Give {option} in seconds or as a number with a unit s, m, h, d or w "
            "(such as 12h or 2d).",
        )
    return timedelta(seconds=float(match["amount"]) * _UNIT_SECONDS[match["unit"].lower()])
