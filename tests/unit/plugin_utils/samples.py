"""Raw facts shaped like cluster_info's results, shared by the plugin_utils tests."""

from __future__ import annotations

import copy


def configuration() -> dict:
    """A small two-node file server cluster's configuration objects."""
    return copy.deepcopy(
        {
            "groups": [
                {
                    "name": "Cluster Group",
                    "state": "Online",
                    "owner_node": "NODE1",
                    "preferred_owners": [],
                    "is_core_group": True,
                },
                {
                    "name": "FS01",
                    "state": "Online",
                    "owner_node": "NODE2",
                    "preferred_owners": ["NODE2", "NODE1"],
                    "is_core_group": False,
                },
            ],
            "resources": [
                {
                    "name": "Cluster Disk 1",
                    "type": "Physical Disk",
                    "group": "Cluster Group",
                    "state": "Online",
                    "owner_node": "NODE1",
                    "parameters": {"DiskSignature": "0x1A2B3C4D"},
                    "dependencies": "",
                    "possible_owners": ["NODE1", "NODE2"],
                },
                {
                    "name": "Cluster Disk 2",
                    "type": "Physical Disk",
                    "group": "FS01",
                    "state": "Online",
                    "owner_node": "NODE2",
                    "parameters": {"DiskSignature": "0x5E6F7081"},
                    "dependencies": "",
                    "possible_owners": ["NODE2", "NODE1"],
                },
                {
                    "name": "FS01 IP",
                    "type": "IP Address",
                    "group": "FS01",
                    "state": "Online",
                    "owner_node": "NODE2",
                    "parameters": {"Address": "10.0.0.50", "SubnetMask": "255.255.255.0"},
                    "dependencies": "",
                    "possible_owners": ["NODE1", "NODE2"],
                },
                {
                    "name": "FS01 Name",
                    "type": "Network Name",
                    "group": "FS01",
                    "state": "Online",
                    "owner_node": "NODE2",
                    "parameters": {"DnsName": "FS01"},
                    "dependencies": "[FS01 IP]",
                    "possible_owners": ["NODE1", "NODE2"],
                },
            ],
            "networks": [
                {
                    "name": "Cluster Network 1",
                    "role": 3,
                    "address": "10.0.0.0",
                    "address_mask": "255.255.255.0",
                    "state": "Up",
                },
            ],
        }
    )


def quorum(offsets: tuple[int, ...] = (1048576,)) -> dict:
    return {
        "type": "NodeAndDiskMajority",
        "witness": {
            "type": "disk",
            "resource": "Cluster Disk 1",
            "owner_node": "NODE1",
            "disk": {
                "number": 1,
                "id_type": "mbr",
                "signature": "1A2B3C4D",
                "gpt_guid": None,
                "drive_letter": "Q:",
                "offsets_read": True,
                "partitions": [
                    {"number": n + 1, "offset": offset, "size": 512 * 1048576, "total_size_mb": 512}
                    for n, offset in enumerate(offsets)
                ],
            },
        },
    }
