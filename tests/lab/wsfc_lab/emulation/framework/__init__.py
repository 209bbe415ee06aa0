"""The framework every module emulation runs on (docs/lab.md, Contract 2).

- `basic`, `basic_spec`, `basic_types`: the Ansible.Basic rules (argument validation, the
  result) an emulated module runs under;
- `registry`: `@emulates` and the look-ups over every emulation in wsfc_lab.emulation.modules;
- `invocation`: runs one emulation for the command dispatch;
- `world_api`, `node_environment`: what an emulation sees of its node and of the world.
"""
