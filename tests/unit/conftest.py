"""Make the collection importable as ansible_collections.wsfc.clusterdb in unit tests.

scripts/bootstrap.sh links this checkout into .cache/collections/ansible_collections/wsfc/
clusterdb (ANSIBLE_COLLECTIONS_PATH); putting that tree on sys.path is all it takes.
"""

import os
import sys
from pathlib import Path

_COLLECTIONS = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)[0] or str(
    Path(__file__).resolve().parents[2] / ".cache" / "collections"
)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
