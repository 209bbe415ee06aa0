"""Make the collection importable as ansible_collections.wsfc.clusterdb in unit tests.

scripts/bootstrap.sh links this checkout into .cache/collections/ansible_collections/wsfc/
clusterdb (ANSIBLE_COLLECTIONS_PATH). The tests import it through Ansible's own collection
loader, installed here once before any test module is imported: that is how Ansible imports
the collection's plugins, and a loader installed later (some tests call init_plugin_loader)
would not know packages imported before it through a plain sys.path entry.
"""

import os
from pathlib import Path

from ansible.plugins.loader import init_plugin_loader

_COLLECTIONS = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)[0] or str(
    Path(__file__).resolve().parents[2] / ".cache" / "collections"
)
init_plugin_loader([_COLLECTIONS])
