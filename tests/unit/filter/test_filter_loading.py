"""What a worker process imports when a task uses one of the collection's filters.

ansible-core's Jinja2 plugin loader loads every filter file of a collection when any one of
its filters is looked up (a file may hold several filters), and it does so in each forked
worker, which is one per host and task. The filter files therefore import plugin_utils only
when a filter is called, and the role option check imports only what the options it checks
need. Each case runs in a fresh interpreter, as a worker starts with none of the
collection imported.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
COLLECTIONS = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "").split(os.pathsep)[0] or str(
    ROOT / ".cache" / "collections"
)

_PRELUDE = f"""
import json, sys
from ansible.plugins.loader import filter_loader, init_plugin_loader
init_plugin_loader([{COLLECTIONS!r}])
def call(name, *args, **kwargs):
    return filter_loader.get("wsfc.clusterdb." + name).j2_function(*args, **kwargs)
def collection_modules(kind):
    prefix = "ansible_collections.wsfc.clusterdb.plugins." + kind + "."
    return sorted(name[len(prefix):] for name in sys.modules if name.startswith(prefix))
"""


def _run(script: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _PRELUDE + script],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_looking_up_one_filter_loads_every_filter_file_but_no_plugin_utils() -> None:
    seen = _run(
        """
plugin = filter_loader.get("wsfc.clusterdb.windows_path")
print(json.dumps({"found": plugin is not None, "filters": collection_modules("filter"),
                  "plugin_utils": collection_modules("plugin_utils")}))
"""
    )
    assert seen["found"]
    filter_files = sorted(p.stem for p in (ROOT / "plugins" / "filter").glob("*.py"))
    # The loader's behaviour this guards against: every filter file is loaded.
    assert seen["filters"] == filter_files
    assert seen["plugin_utils"] == []


def test_calling_a_filter_imports_only_what_it_uses() -> None:
    seen = _run(
        r"""
call("windows_path", "\\\\fs01\\share")
print(json.dumps({"plugin_utils": collection_modules("plugin_utils")}))
"""
    )
    assert seen["plugin_utils"] == ["_paths", "_refusal"]


@pytest.mark.parametrize("role", ["backup", "restore"])
def test_checking_a_roles_default_options_reads_no_key_or_manifest_code(role: str) -> None:
    seen = _run(
        f"""
import yaml
role = {role!r}
names = call("role_option_names", role)
spec = yaml.safe_load(open("roles/" + role + "/meta/argument_specs.yml"))
options = spec["argument_specs"]["main"]["options"]
values = {{name: options[name].get("default") for name in names}}
values[role + "_cluster_name"] = "CLU01"
values[role + ("_path" if role == "backup" else "_backup_path")] = "\\\\\\\\fs01\\\\share"
result = call("role_options", values, role, defined=list(values))
print(json.dumps({{"refused": result["refused"], "msg": result["msg"],
                  "plugin_utils": collection_modules("plugin_utils")}}))
"""
    )
    assert not seen["refused"], seen["msg"]
    for heavy in ("_manifest", "_signing", "_controller_crypto", "_retention"):
        assert heavy not in seen["plugin_utils"]
    assert "_duration" in seen["plugin_utils"]
