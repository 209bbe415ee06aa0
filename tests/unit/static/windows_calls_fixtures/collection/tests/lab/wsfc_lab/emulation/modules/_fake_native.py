"""The fixture's port of plugins/module_utils/FakeNative.psm1: the host's native(...)."""

PORT_OF = "plugins/module_utils/FakeNative.psm1"
