"""Constants a port imports; the contract reads them without importing."""

MSCLUSTER = "root/MSCluster"
