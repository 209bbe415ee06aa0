"""ansible.windows.win_share's emulation as the backup role reads it to know whether a share
is its own: the check-mode probe, and New-SmbShare refusing a name already in use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from win_support import failed, make_world, ok, real
from wsfc_lab.emulation.modules import win_share
from wsfc_lab.world import World


@pytest.fixture
def world(tmp_path: Path) -> World:
    lab = make_world(tmp_path)
    real(lab, "C:\\Stage").mkdir()
    real(lab, "C:\\Other").mkdir()
    return lab


def shares_of(world: World, host: str = "N1") -> dict[str, Any]:
    with world.transaction() as state:
        return dict(state.shares.get(host, {}))


def test_the_check_mode_probe_reports_an_existing_share_and_removes_nothing(world: World) -> None:
    absent = ok(world, "win_share", name="Tmp$", state="absent", _ansible_check_mode=True)
    assert absent["changed"] is False and absent["actions"] == []
    ok(world, "win_share", name="Tmp$", path="C:\\Other")
    probe = ok(world, "win_share", name="tmp$", state="absent", _ansible_check_mode=True)
    assert probe["changed"] is True
    assert probe["actions"] == ["Remove-SmbShare -Force -Name tmp$"]
    assert "tmp$" in shares_of(world)  # still there


def test_a_share_created_meanwhile_is_not_created_again_nor_taken_over(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The other run's share appears between this run's Get-SmbShare and its New-SmbShare.
    ok(world, "win_share", name="Tmp$", path="C:\\Other")
    real_get = win_share._Share.get
    calls = {"n": 0}

    def get_before_the_other_run(self: win_share._Share) -> dict[str, Any] | None:
        calls["n"] += 1
        return None if calls["n"] == 1 else real_get(self)

    monkeypatch.setattr(win_share._Share, "get", get_before_the_other_run)
    result = failed(world, "win_share", name="Tmp$", path="C:\\Stage", change="CORP\\N1$")

    assert win_share.DUPLICATE_SHARE_MESSAGE in result["msg"]
    # A terminating error: no actions list, so nothing says this run created the share.
    assert "New-SmbShare" not in " ".join(result.get("actions") or [])
    assert shares_of(world)["tmp$"]["path"] == "C:\\Other"


def test_a_cmdlet_is_listed_only_once_it_ran(world: World) -> None:
    created = ok(world, "win_share", name="Tmp$", path="C:\\Stage")
    assert created["actions"][0] == "New-SmbShare -Name Tmp$ -Path C:\\Stage"
    removed = ok(world, "win_share", name="Tmp$", state="absent")
    assert removed["actions"] == ["Remove-SmbShare -Force -Name Tmp$"]
    assert shares_of(world) == {}
