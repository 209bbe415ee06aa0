"""The checks under tests/static are scripts; their tests import them from there."""

import sys
from pathlib import Path

STATIC_CHECKS = Path(__file__).resolve().parents[2] / "static"
if str(STATIC_CHECKS) not in sys.path:
    sys.path.insert(0, str(STATIC_CHECKS))
