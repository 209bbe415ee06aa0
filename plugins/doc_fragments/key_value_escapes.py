# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What ansible-core's key=value parser does to backslashes, for every module of the
collection; verified with ansible.parsing.splitter.parse_kv of ansible-core 2.19."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
notes:
  - 'Options given in key=value form (C(ansible -m ... -a "key=value"), or a task written as
    C(module_name: key=value)) pass through the key=value parser of ansible-core, which
    decodes backslash escapes in every value before the module receives it, whether the
    value is quoted or not: C(\\) becomes one backslash; C(\a), C(\b), C(\f), C(\n), C(\r),
    C(\t) and C(\v) become control characters; C(\xHH), C(\uHHHH), C(\UHHHHHHHH) and
    C(\N{name}) become the character they name; C(\'') and C(\") become quotes. A backslash
    before any other character is kept.'
  - 'This matters for a value that holds a Windows path. In key=value form
    C(path=\\fs01\clusterbackups) reaches the module as C(\fs01\clusterbackups), which is
    refused as a path without a drive letter; C(path=D:\Backups\new) as C(D:\Backups), a
    newline and C(ew), refused for the control character; C(\x64) in a path silently becomes
    C(d). The module cannot tell what was typed, so it does not undo this (the collection''s
    roles do, for their extra variables, with the C(wsfc.clusterdb.windows_path) filter).'
  - 'Key=value form: write every backslash twice, C(path=\\\\fs01\\clusterbackups) (from a
    shell, inside single quotes: C(-a ''path=\\\\fs01\\clusterbackups'')), or use forward
    slashes, C(path=//fs01/clusterbackups), which the module reads as backslashes.'
  - 'YAML form: the value is taken as written. Use single quotes,
    C(path: ''\\fs01\clusterbackups''), or a plain scalar; in double quotes YAML decodes
    escapes itself, so write C(path: "\\\\fs01\\clusterbackups").'
# ansible-core takes a fragment only with options or attributes; this one adds neither.
options: {}
"""
