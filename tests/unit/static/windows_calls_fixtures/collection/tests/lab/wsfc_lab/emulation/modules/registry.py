"""Not a port (no PORT_OF): the contract leaves it alone, whatever it calls."""


def lookup(host):
    return host.invoke("Get-Anything", Whatever=1)
