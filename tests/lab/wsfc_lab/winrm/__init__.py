"""The lab's WinRM endpoint: WS-Management shells over HTTP and HTTPS, Basic and NTLM.

`server.WinRMEndpoint` is the entry point; `runner` holds the contract with the command
dispatch behind it (docs/lab.md, Contract 1).
"""
