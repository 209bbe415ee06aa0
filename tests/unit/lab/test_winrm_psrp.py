"""pypsrp 0.9.1's RunspacePool and PowerShell (the client ansible-core's psrp connection
uses) against the lab's PowerShell endpoint: what the pipelines carried reaches the
runner, and what it answers comes back as PowerShell output and host calls."""

import pytest
from pypsrp.complex_objects import PSInvocationState, RunspacePoolState
from pypsrp.host import PSHost, PSHostUserInterface
from pypsrp.powershell import PowerShell, RunspacePool
from pypsrp.wsman import WSMan
from test_winrm_pypsrp import wsman_options


def host() -> PSHost:
    # The host ansible-core's psrp connection gives its pool (connection/psrp.py _connect).
    return PSHost(None, None, False, "Ansible PSRP Host", None, PSHostUserInterface(), None)


@pytest.mark.parametrize(("auth", "ssl"), [("ntlm", False), ("basic", True)])
def test_a_pool_opens_runs_a_script_and_closes(lab_endpoint, auth, ssl):
    with WSMan(**wsman_options(lab_endpoint, auth, ssl)) as wsman:
        pool = RunspacePool(wsman, host=host())
        pool.open()
        opened = pool.state
        assert lab_endpoint.endpoint.service.open_shells == 1
        ps = PowerShell(pool)
        ps.add_script("echo hello over psrp")
        output = ps.invoke()
        pool.close()

    assert opened == RunspacePoolState.OPENED
    assert output == ["hello over psrp"]
    assert ps.state == PSInvocationState.COMPLETED
    assert not ps.had_errors
    assert [(c.command, c.arguments) for c in lab_endpoint.runner.calls] == [
        ("<script>", ["echo hello over psrp"]),
        ("echo", ["hello", "over", "psrp"]),
    ]
    assert lab_endpoint.endpoint.service.open_shells == 0


def run_script(lab_endpoint, script: str) -> PSHost:
    """Runs one script in a pool of its own; the host that got the pipeline's host calls."""
    pool_host = host()
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman:
        with RunspacePool(wsman, host=pool_host) as pool:
            ps = PowerShell(pool)
            ps.add_script(script)
            ps.invoke()
    return pool_host


def test_a_command_with_parameters_and_input_objects(lab_endpoint):
    pool_host = host()
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman:
        with RunspacePool(wsman, host=pool_host) as pool:
            ps = PowerShell(pool)
            ps.add_cmdlet("cat").add_parameter("Name", "it's")
            output = ps.invoke(input=["first", "second"])

    (script_call, _cat) = lab_endpoint.runner.calls
    assert script_call.arguments == ["cat -Name 'it''s'"]
    assert script_call.stdin == b"first\nsecond\n"
    # cat prints its input back; its stderr arrives as the host's WriteErrorLine (which
    # pypsrp's host ends with CRLF).
    assert output == ["first", "second"]
    assert pool_host.ui.stderr == ["13 bytes\r\n"]


def test_an_exit_code_is_the_hosts_set_should_exit(lab_endpoint):
    pool_host = run_script(lab_endpoint, "exit 3")

    assert pool_host.rc == 3
    assert pool_host.ui.stderr == ["exiting with 3\r\n"]


def test_large_output_comes_in_many_fragments(lab_endpoint):
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False), max_envelope_size=8192) as wsman:
        with RunspacePool(wsman, host=host()) as pool:
            ps = PowerShell(pool)
            ps.add_script("echo " + " ".join(["x" * 1000] * 100))
            output = ps.invoke()

    assert output == [" ".join(["x" * 1000] * 100)]


def test_an_unknown_resource_uri_is_refused(lab_endpoint):
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman:
        pool = RunspacePool(wsman, configuration_name="Other.Configuration")
        with pytest.raises(Exception, match="not in the lab's WS-Management catalog"):
            pool.open()


def test_a_running_pipeline_is_stopped_by_the_signal(lab_endpoint):
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman:
        with RunspacePool(wsman, host=host()) as pool:
            ps = PowerShell(pool)
            ps.add_script("slow 3")
            ps.begin_invoke()
            ps.stop()  # powershell/signal/ctrl_c
            stopped = ps.state
            # The pool takes the next pipeline while the stopped one's script still runs.
            after = PowerShell(pool)
            after.add_script("echo next")
            output = after.invoke()

    assert stopped == PSInvocationState.STOPPED
    assert output == ["next"]


def test_a_broken_runner_fails_the_pipeline_loudly(lab_endpoint):
    pool_host = run_script(lab_endpoint, "fail")

    assert pool_host.rc == 1
    (message,) = pool_host.ui.stderr
    assert "lab: the command runner failed" in message
    assert "scripted runner failure" in message


def test_arguments_to_a_script_are_refused_by_name(lab_endpoint):
    pool_host = host()
    with WSMan(**wsman_options(lab_endpoint, "ntlm", False)) as wsman:
        with RunspacePool(wsman, host=pool_host) as pool:
            ps = PowerShell(pool)
            ps.add_script("echo $args").add_argument("one")
            ps.invoke()

    assert pool_host.rc == 1
    assert pool_host.ui.stderr == [
        "the lab does not emulate arguments to a script pipeline (1 given)\r\n"
    ]
    assert lab_endpoint.runner.calls == []
