"""A simulated Windows Server failover cluster served over real WinRM."""
