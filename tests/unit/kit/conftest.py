"""The kit's modules (tests/kit) and its evidence callback, importable by the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO / "tests" / "kit"))
CALLBACK = (
    REPO
    / "tests/integration/targets/setup_clusterdb_kit/callback_plugins/clusterdb_kit_evidence.py"
)


@pytest.fixture(scope="session")
def evidence_callback() -> ModuleType:
    spec = importlib.util.spec_from_file_location("clusterdb_kit_evidence", CALLBACK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
