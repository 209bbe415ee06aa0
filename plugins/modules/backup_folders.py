# Copyright: (c) 2026, wsfc.clusterdb contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: backup_folders
short_description: Create the folders that hold backup sets, each with an ACL of its own
version_added: 0.2.0
description:
  - Creates each folder of O(folders) when it does not exist (the folders above it too),
    gives it the access rules named for it, and turns off inheritance from the folders
    above, removing the inherited rules rather than copying them. Afterwards the folder
    holds only its explicit rules, so nobody else may read the sets inside.
  - One run for every folder and rule. The same ACL with M(ansible.windows.win_file),
    M(ansible.windows.win_acl) once per rule and M(ansible.windows.win_acl_inheritance)
    takes a module run per folder and rule.
  - A rule is present when the folder has an explicit allow rule for the account with the
    same rights, inherited by the folder's subfolders and files (C(ContainerInherit,
    ObjectInherit), propagation C(None)), as M(ansible.windows.win_acl) tests it. Adding one
    to a folder with another rule for the account adds the rights to it. Rules the task does
    not name are left alone.
  - Before anything is changed the module looks at every folder and every account. A folder,
    or the folder it is made in, that is a file, or an account that does not resolve to a
    security identifier, fails the task with RV(error_code) V(267) or V(1332) and nothing
    written.
  - Idempotent; the task reports a change only when a folder was created, a rule added or
    removed, or inheritance turned off.
  - The backup role prepares its destinations with it.
options:
  folders:
    description:
      - The folders, each a local path with its drive or a UNC path, and not the root of a
        drive or a share. Each folder is named once.
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description:
          - The folder, such as V(D:\\Backups\\CLU01) or V(\\\\fs01\\clusterbackups\\CLU01).
        type: str
        required: true
      access:
        description:
          - The folder's access rules, one per account.
        type: list
        elements: dict
        default: []
        suboptions:
          account:
            description:
              - The account or group, as Windows names it (V(BUILTIN\\Administrators),
                V(NT AUTHORITY\\SYSTEM), V(CORP\\NODE1$) for a computer account), or its
                security identifier (V(S-1-5-32-544) for Administrators, V(S-1-5-18) for
                SYSTEM). A value that starts with V(S-1-) is taken as a SID, which names a
                built-in account the same way whatever the language Windows is installed in.
              - A SID that is not well formed is reported under RV(unresolved_accounts).
            type: str
            required: true
          rights:
            description:
              - V(FullControl), or V(Modify) (read, write, execute and delete).
            type: str
            required: true
            choices: [FullControl, Modify]
          state:
            description:
              - V(present) adds the rule when the folder lacks it; V(absent) removes it.
            type: str
            default: present
            choices: [absent, present]
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports which folders would be created and which rules added or removed.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: windows
notes:
  - Turning inheritance off drops the rules inherited from above, the Administrators' too.
    Name every account that is to keep access, as the backup role does for Administrators
    and SYSTEM.
  - A folder on a share is reached as the account the task runs as. Over WinRM that needs
    credentials for the file server (become, CredSSP or Kerberos delegation).
seealso:
  - module: ansible.windows.win_acl
  - module: ansible.windows.win_acl_inheritance
  - module: wsfc.clusterdb.cluster_backup
author:
  - wsfc.clusterdb maintainers (@wsfc-clusterdb)
"""

EXAMPLES = r"""
- name: Create the cluster's folders, readable by Administrators and SYSTEM only
  wsfc.clusterdb.backup_folders:
    folders:
      - path: \\fs01\clusterbackups\CLU01
        access:
          - account: BUILTIN\Administrators
            rights: FullControl
          - account: NT AUTHORITY\SYSTEM
            rights: FullControl
          # wbadmin writes to a share as the node's computer account.
          - account: CORP\NODE1$
            rights: Modify
      - path: D:\Copies\CLU01
        access:
          - account: BUILTIN\Administrators
            rights: FullControl
          - account: NT AUTHORITY\SYSTEM
            rights: FullControl

- name: Take the nodes' write access away again
  wsfc.clusterdb.backup_folders:
    folders:
      - path: \\fs01\clusterbackups\CLU01
        access:
          - account: CORP\NODE1$
            rights: Modify
            state: absent
"""

RETURN = r"""
changed:
  description: Whether a folder was created, a rule added or removed, or inheritance turned
    off (in check mode, whether it would be).
  returned: always
  type: bool
  sample: true
node_name:
  description: The name of the node the module ran on.
  returned: always
  type: str
  sample: NODE1
folders:
  description:
    - What was done to each folder, in the order of O(folders). After a failure, the folders
      done so far and the one that failed, last.
  returned: always
  type: list
  elements: dict
  contains:
    path:
      description: The folder.
      type: str
      sample: \\fs01\clusterbackups\CLU01
    created:
      description: Whether the folder was created.
      type: bool
    protected_before:
      description: Whether inheritance was off already; V(false) for a folder created.
      type: bool
    rules_added:
      description: 'The rules added, each as C(<account>: <rights>).'
      type: list
      elements: str
      sample: ["BUILTIN\\Administrators: FullControl"]
    rules_removed:
      description: 'The rules removed, each as C(<account>: <rights>).'
      type: list
      elements: str
    changed:
      description: Whether this folder changed.
      type: bool
not_directories:
  description: The paths that are files where a folder was to be (RV(error_code) V(267)).
  returned: always
  type: list
  elements: str
  sample: []
unresolved_accounts:
  description:
    - The accounts with no security identifier, and the SID strings that are not well
      formed (RV(error_code) V(1332)).
  returned: always
  type: list
  elements: str
  sample: []
error_code:
  description:
    - The Windows error code of the failure; V(null) when nothing failed.
    - V(267) (ERROR_DIRECTORY) a file where a folder was to be; V(1332) (ERROR_NONE_MAPPED)
      an account that does not resolve; V(5) (ERROR_ACCESS_DENIED) the account the task
      runs as may not create the folder or change its ACL.
  returned: always
  type: int
  sample: 267
error:
  description: The explanation of a failure (added on the controller), V(null) when the task
    succeeded.
  returned: always
  type: dict
  contains:
    code:
      description: The Win32 code.
      type: int
    name:
      description: The code's name, such as V(ERROR_DIRECTORY).
      type: str
    cause:
      description: What went wrong.
      type: str
    fix:
      description: What to do.
      type: str
    options:
      description: The operator's options, when there are several.
      type: list
      elements: str
    retryable:
      description: Whether the same task may succeed when run again later.
      type: bool
    message:
      description: The whole explanation as one text.
      type: str
"""
