"""The quorum disk layout a restore without force compares, on an MBR and on a GPT witness:
the disk is found by its identity as Windows records it (signature or GUID), and a changed
layout, offsets or sizes, is refused with 5086 before any node is touched
(docs/windows-behaviour.md#physical-disk-parameters, #mscluster-diskpartition, #get-partition,
#clusapi-backup-restore)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from labs import example
from restore_scenarios import (
    back_up,
    change_configuration,
    changing_runs,
    executions,
    nodes,
    restore,
    result_of,
)
from wsfc_lab.lab import Lab

REFUSAL_TASK = "Stop here when the restore is refused (no node was changed)"
GPT_WITNESS = "6f4e2b1a-93c2-4d0e-8a51-0c3b9e7d2f10"
GPT_DATA = "0a1b2c3d-0000-4000-8000-000000000001"


def description(witness_id: str) -> dict:
    """The three-node example with a witness of two partitions and a data disk of the same
    kind (GPT beside GPT: a lookup by signature alone would not tell them apart)."""
    spec = example("three-node")
    data_id = GPT_DATA if len(witness_id) == 36 else "5A3C91E3"
    spec["disks"] = [
        {"name": "Cluster Disk 2", "signature": data_id, "drive_letter": "S", "owner": "NODE2",
         "partitions": [{"offset": 16777216, "size": 10736369664}]},
        {"name": "Cluster Disk 1", "signature": witness_id, "drive_letter": "Q",
         "partitions": [{"offset": 17825792, "size": 535822336},
                        {"offset": 553648128, "size": 104857600}]},
    ]  # fmt: skip
    spec["witness"] = {"type": "disk", "disk": "Cluster Disk 1"}
    return spec


@pytest.mark.parametrize("witness_id", ["5A3C91E2", GPT_WITNESS], ids=["mbr", "gpt"])
@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"offset": 18874368}, "offset"),
        ({"size": 524288000}, "size"),
    ],
    ids=["offset", "size"],
)
def test_a_changed_witness_layout_refuses_5086(
    start_lab: Callable[..., Lab],
    tmp_path: Path,
    witness_id: str,
    change: dict,
    expected: str,
) -> None:
    lab = start_lab(description(witness_id))
    back_up(lab, tmp_path)
    change_configuration(lab)
    with lab.world.transaction() as state:
        state.disks["Cluster Disk 1"]["partitions"][0].update(change)
    before = nodes(lab)
    runs_before = len(executions(lab))

    run = restore(lab, force=False)
    assert run.rc != 0
    refusal = result_of(run, REFUSAL_TASK)["msg"]
    assert "5086" in refusal and "ERROR_QUORUM_DISK_NOT_FOUND" in refusal
    assert expected in refusal
    assert nodes(lab) == before
    assert changing_runs(executions(lab)[runs_before:]) == []
