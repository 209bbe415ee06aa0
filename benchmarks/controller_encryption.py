"""Controller copy encryption benchmark: what sealing a set (AES-256-GCM, in chunks) and
opening it again (decrypting and hashing every file, as the lookup and a restore do) cost
on the controller.

A set of ``--files`` files of ``--mib`` MiB in all (random bytes: they do not compress) is
written to a temporary folder, then sealed (plugin_utils._controller_crypto.encrypt_set)
and opened (decrypt_set) ``--runs`` times each; the figures per set are the median and the
best of the runs, with the throughput in MiB/s. Plain hashing (SHA-256, what verifying a
plain copy costs anyway) is timed beside it.

Not a test and not run by CI: the figures go to benchmarks/results/controller_encryption.json
and a table is printed.

    . scripts/bootstrap.sh && python benchmarks/controller_encryption.py [--mib 256] [--runs 5]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# The collection as the tests see it (scripts/bootstrap.sh links the checkout there).
sys.path.insert(0, str(REPO_ROOT / ".cache" / "collections"))

from ansible_collections.wsfc.clusterdb.plugins.plugin_utils import (  # noqa: E402
    _controller_crypto as crypto,
)

RESULTS = REPO_ROOT / "benchmarks" / "results" / "controller_encryption.json"
SET = "20260101T000000Z_clusterdb_e1s1"


def _write_set(folder: Path, mib: int, files: int) -> None:
    size = mib * 1024 * 1024 // files
    for number in range(files):
        path = folder / "WindowsImageBackup" / f"file{number:03}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))


def _hash_all(folder: Path) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest = hashlib.sha256()
            with path.open("rb") as stream:
                while chunk := stream.read(crypto.CHUNK):
                    digest.update(chunk)


def _timed(runs: int, work: Callable[[int], None]) -> list[float]:
    times = []
    for run in range(runs):
        started = time.perf_counter()
        work(run)
        times.append(time.perf_counter() - started)
    return times


def _figures(times: list[float], mib: int) -> dict[str, float]:
    median = statistics.median(times)
    return {
        "median_s": round(median, 4),
        "best_s": round(min(times), 4),
        "mib_per_s": round(mib / median, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=256, help="the set's size in MiB")
    parser.add_argument("--files", type=int, default=8, help="the set's number of files")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    key = os.urandom(crypto.KEY_SIZE)
    root = Path(tempfile.mkdtemp(prefix="wsfc-clusterdb-bench-"))
    try:
        plain = root / "plain"
        _write_set(plain, args.mib, args.files)

        def sealing(run: int) -> None:
            crypto.encrypt_set(key, plain, root / f"sealed{run}", SET)

        def opening(run: int) -> None:
            crypto.decrypt_set(key, root / "sealed0", root / f"opened{run}", SET)
            shutil.rmtree(root / f"opened{run}")

        seal_times = _timed(args.runs, sealing)
        open_times = _timed(args.runs, opening)
        hash_times = _timed(args.runs, lambda _run: _hash_all(plain))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    results = {
        "benchmark": "controller_encryption",
        "when": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "set_mib": args.mib,
        "set_files": args.files,
        "runs": args.runs,
        "chunk_bytes": crypto.CHUNK,
        "seal": _figures(seal_times, args.mib),
        "open_and_hash": _figures(open_times, args.mib),
        "plain_hash_only": _figures(hash_times, args.mib),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"a set of {args.mib} MiB in {args.files} files, {args.runs} runs")
    print(f"{'step':<16} {'median s':>10} {'best s':>10} {'MiB/s':>8}")
    for step in ("seal", "open_and_hash", "plain_hash_only"):
        figures = results[step]
        print(
            f"{step:<16} {figures['median_s']:>10} {figures['best_s']:>10} "
            f"{figures['mib_per_s']:>8}"
        )
    print(f"written to {RESULTS.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
