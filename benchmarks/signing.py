"""Signing benchmark: what signing a set's manifest and verifying it cost on the controller.

A manifest as cluster_backup builds it (plugin_utils._manifest) for a set of a cluster with
many configuration objects and files, signed (plugin_utils._signing.sign_manifest) and
verified (check_signature with three trusted keys, as after two rotations) many times; the
figures per set are the median and the 95th percentile of the timed runs, with the
manifest's size. Loading the key (parsing its PEM) is timed apart: each task does it once.

Not a test and not run by CI: the figures go to benchmarks/results/signing.json and a
table is printed.

    . scripts/bootstrap.sh && python benchmarks/signing.py [--runs 2000] [--objects 200]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The collection as the tests see it (scripts/bootstrap.sh links the checkout there).
sys.path.insert(0, str(REPO_ROOT / ".cache" / "collections"))
# The tests' key maker: a fresh Ed25519 key pair in PEM.
sys.path.insert(0, str(REPO_ROOT / "tests" / "integration"))

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (  # noqa: E402
    build_manifest,
    manifest_to_json,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._signing import (  # noqa: E402
    VERIFIED,
    check_signature,
    load_signing_key,
    load_trusted_keys,
    sign_manifest,
)
from signing_keys import new_key  # noqa: E402

RESULTS = REPO_ROOT / "benchmarks" / "results" / "signing.json"


def _manifest_text(objects: int) -> str:
    groups = [{"name": f"Group {n}", "owner_nodes": ["NODE1", "NODE2"]} for n in range(objects)]
    resources = [
        {
            "name": f"Resource {n}",
            "type": "IP Address",
            "group": f"Group {n}",
            "parameters": {"Address": f"10.0.{n // 250}.{n % 250}", "SubnetMask": "255.255.0.0"},
            "dependencies": "",
            "owner_nodes": [],
        }
        for n in range(objects)
    ]
    files = [
        {"path": f"WindowsImageBackup/NODE1/file{n:04d}.vhdx", "size": 1 << 20, "sha256": "ab" * 32}
        for n in range(objects)
    ]
    manifest = build_manifest(
        cluster={"name": "CLU01", "id": "6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11"},
        source_node="NODE1",
        route="clusapi",
        paxos_tag="2:2:41",
        quorum=None,
        configuration={"groups": groups, "resources": resources, "networks": []},
        files=files,
        created=datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC),
    )
    return manifest_to_json(manifest)


def _timed(runs: int, work: Callable[[], object]) -> dict[str, float]:
    samples = []
    for _number in range(runs):
        start = time.perf_counter()
        work()
        samples.append(time.perf_counter() - start)
    samples.sort()
    return {
        "median_us": round(statistics.median(samples) * 1e6, 1),
        "p95_us": round(samples[int(len(samples) * 0.95) - 1] * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--objects", type=int, default=200)
    options = parser.parse_args()

    private, public = new_key()
    others = [new_key()[1], new_key()[1]]
    text = _manifest_text(options.objects)
    key = load_signing_key(private)
    trusted = load_trusted_keys([*others, public])
    signature = sign_manifest(key, text)
    assert check_signature(text, signature, trusted).status == VERIFIED

    figures = {
        "load_signing_key": _timed(options.runs, lambda: load_signing_key(private)),
        "load_trusted_keys_3": _timed(options.runs, lambda: load_trusted_keys([*others, public])),
        "sign_per_set": _timed(options.runs, lambda: sign_manifest(key, text)),
        "verify_per_set": _timed(options.runs, lambda: check_signature(text, signature, trusted)),
    }
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "runs": options.runs,
        "configuration_objects": options.objects,
        "manifest_bytes": len(text.encode("utf-8")),
        "figures": figures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"manifest: {result['manifest_bytes']} bytes, {options.runs} runs each")
    print(f"{'operation':<22} {'median µs':>10} {'p95 µs':>10}")
    for name, figure in figures.items():
        print(f"{name:<22} {figure['median_us']:>10} {figure['p95_us']:>10}")
    print(f"\nwritten to {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
