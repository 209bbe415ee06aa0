"""The fixture's port of plugins/modules/fake_node.ps1, statement for statement."""

from wsfc_lab.windows.names import MSCLUSTER

PORT_OF = "plugins/modules/fake_node.ps1"
WBADMIN = "C:\\Windows\\System32\\wbadmin.exe"


def get_service_state(host):
    service = host.invoke("Get-CimInstance", ClassName="Win32_Service", Filter="Name='ClusSvc'")
    return service.State


def get_disk(host):
    return host.invoke("Get-CimInstance", Namespace=MSCLUSTER, ClassName="MSCluster_Disk")[0]


def get_paxos_tag(host):
    root = "HKLM:\\Cluster"
    values = host.invoke(
        "Get-ItemProperty", LiteralPath=root, Name="PaxosTag", ErrorAction="SilentlyContinue"
    )
    return values.PaxosTag


def start_node(host, force):
    start_params = {"Name": host.computer_name, "ErrorAction": "Stop"}
    if force:
        start_params["ForceQuorum"] = True
    host.invoke("Start-ClusterNode", **start_params)


def backup_state(host, target):
    arguments = ["start", "systemstatebackup", f"-backupTarget:{target}", "-quiet"]
    return host.native(WBADMIN, arguments)


def restore_state(host, version, machine):
    arguments = ["start", "recovery", "-version:" + version]
    if machine:
        arguments.append(f"-machine:{machine}")
    arguments.append("-quiet")
    return host.native(WBADMIN, arguments)


def run(host):
    state = get_service_state(host)
    tags = [str(get_paxos_tag(host))]
    return state, tags
