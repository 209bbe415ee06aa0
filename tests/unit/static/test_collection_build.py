"""`ansible-galaxy collection build` packs the collection and nothing a run leaves behind."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[3]
# What a bootstrap, a test run or a benchmark leaves in the checkout; none of it ships.
LEFT_BEHIND = (".venv/", ".cache/", "tests/output/", "benchmarks/results/", "__pycache__/",
               ".pytest_cache/", ".ruff_cache/", ".egg-info/")  # fmt: skip


def test_the_tarball_holds_the_collection_and_no_run_output(tmp_path: Path) -> None:
    # Make sure there is run output to leave out, whatever ran before.
    (REPO_ROOT / "tests" / "output").mkdir(exist_ok=True)
    (REPO_ROOT / "tests" / "output" / "marker.txt").write_text("left by a run\n")
    subprocess.run(
        ["ansible-galaxy", "collection", "build", "--output-path", str(tmp_path), str(REPO_ROOT)],
        check=True, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    (tarball,) = tmp_path.glob("wsfc-clusterdb-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "galaxy.yml" not in names  # built into MANIFEST.json instead
    shipped = (
        "MANIFEST.json",
        "meta/runtime.yml",
        "plugins/modules/cluster_info.ps1",
        "roles/restore/tasks/main.yml",
        "playbooks/backup.yml",
    )
    for expected in shipped:
        assert expected in names
    shipped_run_output = [n for n in names if any(part in n + "/" for part in LEFT_BEHIND)]
    assert shipped_run_output == []
