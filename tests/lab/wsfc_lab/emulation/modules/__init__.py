"""The emulations of modules, one file each, and the ports they share (docs/lab.md).

Every public Python module of this package is an emulation and is imported by
`wsfc_lab.emulation.framework.registry` on the first look-up, so that its `@emulates`
registers it; a file whose name starts with an underscore is a helper or a port of a
PowerShell util, imported only by the emulations that use it.
"""
