"""Get-Partition -DiskNumber (fact get-partition): a disk's partitions with their byte
offsets and sizes. A clustered disk is online only on the node that owns it; on any other
node the lab finds no partition of it (*unconfirmed*: fact get-partition)."""

from __future__ import annotations

from wsfc_lab.windows.errors import PowerShellError
from wsfc_lab.windows.host import PowerShellHost
from wsfc_lab.windows.objects import PSObject
from wsfc_lab.windows.surface import command


@command("Get-Partition", fact="get-partition", parameters={"DiskNumber"})
def get_partition(host: PowerShellHost, DiskNumber: int) -> list[PSObject]:
    host.operation("Get-Partition")
    with host.world.transaction() as state:
        owner = state.node_name(host.node)
        for disk in state.disks.values():
            if int(disk["number"]) == int(DiskNumber) and disk["owner_node"] == owner:
                return [
                    PSObject(
                        "Microsoft.Management.Infrastructure.CimInstance#MSFT_Partition",
                        {
                            "DiskNumber": disk["number"],
                            "PartitionNumber": p["number"],
                            "Offset": int(p["offset"]),
                            "Size": int(p["size"]),
                            "DriveLetter": disk["drive_letter"] if p["number"] == 1 else "\0",
                        },
                    )
                    for p in disk["partitions"]
                ]
    raise PowerShellError(
        None, f"No MSFT_Partition objects found with property 'DiskNumber' equal to '{DiskNumber}'."
    )
