"""The backup set manifest and set verification."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._configuration import (
    configuration_fingerprint,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._manifest import (
    COMPLETE,
    COMPLETION_MARKER_NAME,
    CORRUPT,
    INCOMPLETE,
    MANIFEST_NAME,
    SCHEMA_VERSION,
    ListedFile,
    ManifestError,
    QuorumLayout,
    build_manifest,
    manifest_to_json,
    normalize_relative_path,
    parse_manifest,
    verify_backup_set,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._paxos import (
    parse_paxos_tag,
    version_range,
)
from ansible_collections.wsfc.clusterdb.plugins.plugin_utils._set_naming import make_set_name

from .samples import configuration, quorum

CREATED = datetime(2026, 11, 22, 2, 3, 4, tzinfo=UTC)
TAG = "2:2:41"
STAMPED = "2007/12/31-15`35`55.889_4:2007/12/31-15`35`55.889_4:294"
CONTENTS = {
    r"WindowsImageBackup\NODE1\Catalog\BackupGlobalCatalog": b"catalog",
    r"WindowsImageBackup\NODE1\SystemStateBackup\disk.vhdx": b"x" * 1000,
}


def listing(contents: dict[str, bytes] | None = None, *, hashed: bool = True) -> list[dict]:
    contents = CONTENTS if contents is None else contents
    return [
        {
            "path": path,
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest().upper() if hashed else None,
        }
        for path, data in contents.items()
    ]


def build(**overrides):
    arguments = {
        "cluster": {"name": "CLU01", "id": "6f1c3c9b-4d6e-4f5a-8f0e-2f7f9a3b1c11"},
        "source_node": "NODE1",
        "route": "vss",
        "paxos_tag": TAG,
        "quorum": quorum(),
        "configuration": configuration(),
        "files": listing(),
        "created": CREATED,
        "wbadmin_version": "11/22/2026-02:03",
    }
    arguments.update(overrides)
    return build_manifest(**arguments)


def manifest_text(**overrides) -> str:
    return manifest_to_json(build(**overrides))


def edited(change) -> str:
    document = json.loads(manifest_text())
    change(document)
    return json.dumps(document)


class TestBuild:
    def test_fields_from_raw_facts(self) -> None:
        manifest = build()
        assert manifest.cluster.name == "CLU01"
        assert manifest.configuration_version.version == "2:41"
        assert manifest.quorum.partition_count == 1
        assert [p.offset for p in manifest.quorum.partitions] == [1048576]
        assert manifest.configuration_fingerprint == configuration_fingerprint(configuration())
        assert [f.path for f in manifest.files] == [
            "WindowsImageBackup/NODE1/Catalog/BackupGlobalCatalog",
            "WindowsImageBackup/NODE1/SystemStateBackup/disk.vhdx",
        ]
        assert manifest.files[0].sha256 == hashlib.sha256(b"catalog").hexdigest()
        assert manifest.schema_version == SCHEMA_VERSION

    def test_created_is_stored_in_utc(self) -> None:
        local = CREATED.astimezone(timezone(timedelta(hours=2)))
        assert build(created=local).created == CREATED

    def test_clusapi_set_has_no_wbadmin_version(self) -> None:
        manifest = build(route="clusapi", wbadmin_version=None)
        assert manifest.wbadmin_version is None
        with pytest.raises(ManifestError, match="only a vss set"):
            build(route="clusapi")

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({"route": "tape"}, "route"),
            ({"wbadmin_version": None}, "wbadmin_version"),
            ({"wbadmin_version": "2026-11-22 02:03"}, "wbadmin_version"),
            ({"paxos_tag": "nonsense"}, "configuration_version"),
            ({"created": datetime(2026, 1, 1)}, "timezone-aware"),
            ({"cluster": {"name": "CLU01"}}, "cluster.id"),
            ({"source_node": ""}, "source_node"),
            ({"files": [{"path": "a", "size": 1, "sha256": None}]}, r"files\[0\].sha256"),
            ({"files": [{"path": "a", "size": -1, "sha256": "0" * 64}]}, r"files\[0\].size"),
            ({"files": [{"path": r"..\a", "size": 1, "sha256": "0" * 64}]}, "relative"),
            ({"files": [{"path": r"C:\a", "size": 1, "sha256": "0" * 64}]}, "relative"),
            ({"files": [{"path": "manifest.json", "size": 1, "sha256": "0" * 64}]}, "reserved"),
            (
                {
                    "files": [
                        {"path": "a", "size": 1, "sha256": "0" * 64},
                        {"path": "A", "size": 1, "sha256": "0" * 64},
                    ]
                },
                "twice",
            ),
        ],
    )
    def test_refusals_name_the_field(self, overrides: dict, message: str) -> None:
        with pytest.raises(ManifestError, match=message):
            build(**overrides)


class TestSerialisation:
    def test_round_trip(self) -> None:
        manifest = build()
        assert parse_manifest(manifest_to_json(manifest)) == manifest

    def test_round_trip_clusapi_and_no_witness(self) -> None:
        manifest = build(route="clusapi", wbadmin_version=None, quorum={"type": "NodeMajority"})
        parsed = parse_manifest(manifest_to_json(manifest))
        assert parsed == manifest
        assert parsed.quorum.witness_type == "none"

    def test_document_shape(self) -> None:
        document = json.loads(manifest_text())
        assert document["format"] == "wsfc.clusterdb/backup-set"
        assert document["schema_version"] == 1
        assert document["created"] == "2026-11-22T02:03:04Z"
        version = {
            "paxos_tag": "2:2:41",
            "next_epoch": 2,
            "next_epoch_time": None,
            "epoch": 2,
            "epoch_time": None,
            "sequence": 41,
        }
        assert document["configuration_version"] == version
        # The tag did not move during the backup: read after it, it is the same.
        assert document["configuration_version_after"] == version
        assert document["quorum"]["partition_count"] == 1
        assert document["quorum"]["partitions"][0]["offset"] == 1048576

    def test_serialisation_is_deterministic(self) -> None:
        assert manifest_text() == manifest_text()

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("{not json", "not valid JSON"),
            ("[]", "JSON object"),
            (None, "not valid JSON"),
        ],
    )
    def test_unreadable(self, text, message: str) -> None:
        with pytest.raises(ManifestError, match=message):
            parse_manifest(text)

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda d: d.update(format="other"), "format"),
            (lambda d: d.update(schema_version=2), "newer than this collection reads"),
            (lambda d: d.update(schema_version="1"), "schema_version"),
            (lambda d: d.update(schema_version=True), "schema_version"),
            (lambda d: d.pop("cluster"), "cluster"),
            (lambda d: d.update(created="yesterday"), "created"),
            (lambda d: d["configuration_version"].update(sequence=42), "do not match"),
            (lambda d: d["configuration_version"].update(paxos_tag="x"), "paxos_tag"),
            (
                lambda d: d["configuration_version"].update(paxos_tag="133772032000000000_2:41"),
                "two parts",
            ),
            (lambda d: d.pop("configuration_version_after"), "configuration_version_after"),
            (
                lambda d: d["configuration_version_after"].update(paxos_tag="2:2:40", sequence=40),
                "older",
            ),
            (lambda d: d["configuration_version_after"].update(epoch=3), "do not match"),
            (lambda d: d["configuration"]["groups"].pop(), "configuration_fingerprint"),
            (lambda d: d.update(files={}), "files"),
            (lambda d: d["files"][0].update(sha256="zz"), r"files\[0\].sha256"),
            (lambda d: d["quorum"].update(witness_type="tape"), "witness_type"),
            (lambda d: d["quorum"].update(partition_count=3), "partition_count"),
            (lambda d: d["quorum"]["partitions"][0].update(offset="1048576"), r"partitions\[0\]"),
            (lambda d: d.update(route="clusapi"), "only a vss set"),
        ],
    )
    def test_invalid_fields_are_named(self, change, message: str) -> None:
        with pytest.raises(ManifestError, match=message):
            parse_manifest(edited(change))


class TestQuorumLayout:
    def test_same_layout_other_signature_and_letter(self) -> None:
        backup = QuorumLayout.from_quorum_facts(quorum())
        now = quorum()
        now["witness"]["disk"].update(signature="99999999", drive_letter="R:")
        assert backup.layout_differences(QuorumLayout.from_quorum_facts(now)) == ()

    def test_partition_count_differs(self) -> None:
        backup = QuorumLayout.from_quorum_facts(quorum())
        now = QuorumLayout.from_quorum_facts(quorum((1048576, 2097152)))
        (difference,) = backup.layout_differences(now)
        assert difference == "partition count: backup 1, now 2"

    def test_offsets_differ(self) -> None:
        backup = QuorumLayout.from_quorum_facts(quorum())
        now = QuorumLayout.from_quorum_facts(quorum((32256,)))
        (difference,) = backup.layout_differences(now)
        assert "offsets" in difference and "32256" in difference

    def test_sizes_in_bytes_differ(self) -> None:
        backup = QuorumLayout.from_quorum_facts(quorum())
        now = quorum()
        now["witness"]["disk"]["partitions"][0]["size"] = 256 * 1048576
        (difference,) = backup.layout_differences(QuorumLayout.from_quorum_facts(now))
        assert "sizes" in difference and str(256 * 1048576) in difference

    def test_offsets_read_on_another_node_compare_the_sizes_in_mb(self) -> None:
        """A node that does not own the witness disk reads no offsets (Get-Partition answers
        on the owner only): the sizes in MB from MSCluster_DiskPartition still compare."""
        backup = QuorumLayout.from_quorum_facts(quorum())
        now = quorum()
        partition = now["witness"]["disk"]["partitions"][0]
        partition.update(offset=None, size=None)
        assert backup.layout_differences(QuorumLayout.from_quorum_facts(now)) == ()
        partition["total_size_mb"] = 100
        (difference,) = backup.layout_differences(QuorumLayout.from_quorum_facts(now))
        assert difference == "partition sizes: partition 1 backup 512 MB, now 100 MB"
        assert [p.offset for p in QuorumLayout.from_quorum_facts(now).partitions] == [None]

    def test_a_gpt_witness_keeps_its_identity_in_the_manifest(self) -> None:
        facts = quorum()
        facts["witness"]["disk"].update(
            id_type="gpt", signature=None, gpt_guid="6f4e2b1a-93c2-4d0e-8a51-0c3b9e7d2f10"
        )
        layout = QuorumLayout.from_quorum_facts(facts)
        assert (layout.id_type, layout.signature) == ("gpt", None)
        assert layout.gpt_guid == "6f4e2b1a-93c2-4d0e-8a51-0c3b9e7d2f10"

    def test_witness_no_longer_a_disk(self) -> None:
        backup = QuorumLayout.from_quorum_facts(quorum())
        now = QuorumLayout.from_quorum_facts({"witness": {"type": "file_share"}})
        assert "file_share" in backup.layout_differences(now)[0]

    def test_no_disk_witness_in_the_backup_means_no_layout_to_match(self) -> None:
        backup = QuorumLayout.from_quorum_facts({"type": "NodeMajority"})
        assert backup.layout_differences(QuorumLayout.from_quorum_facts(quorum())) == ()


class TestVerification:
    def test_complete_with_hashes(self) -> None:
        result = verify_backup_set(
            marker_present=True, manifest_text=manifest_text(), files=listing()
        )
        assert result.status == COMPLETE
        assert result.is_complete and result.hashes_checked
        assert result.problems == ()
        assert result.manifest is not None and result.manifest.cluster.name == "CLU01"
        assert "complete (sizes and SHA-256 checked)" in result.message

    def test_complete_without_a_listing(self) -> None:
        result = verify_backup_set(marker_present=True, manifest_text=manifest_text(), files=None)
        assert result.status == COMPLETE
        assert not result.hashes_checked
        assert "hashes not checked" in result.message

    def test_listing_without_hashes_checks_sizes_only(self) -> None:
        result = verify_backup_set(
            marker_present=True, manifest_text=manifest_text(), files=listing(hashed=False)
        )
        assert result.status == COMPLETE and not result.hashes_checked

    def test_marker_missing_is_incomplete(self) -> None:
        result = verify_backup_set(
            marker_present=False, manifest_text=manifest_text(), files=listing()
        )
        assert result.status == INCOMPLETE
        assert COMPLETION_MARKER_NAME in result.message

    def test_manifest_missing_is_incomplete(self) -> None:
        result = verify_backup_set(marker_present=True, manifest_text=None, files=listing())
        assert result.status == INCOMPLETE
        assert f"{MANIFEST_NAME} is missing" in result.message

    def test_manifest_unreadable_is_corrupt(self) -> None:
        result = verify_backup_set(marker_present=True, manifest_text="{", files=listing())
        assert result.status == CORRUPT
        assert "cannot be read" in result.message

    def test_a_missing_file_is_named(self) -> None:
        files = listing()[1:]
        result = verify_backup_set(marker_present=True, manifest_text=manifest_text(), files=files)
        assert result.status == INCOMPLETE
        (problem,) = result.problems
        assert problem.file == "WindowsImageBackup/NODE1/Catalog/BackupGlobalCatalog"
        assert "BackupGlobalCatalog is missing" in result.message

    def test_a_size_mismatch_is_corrupt_and_named(self) -> None:
        files = listing({**CONTENTS, r"WindowsImageBackup\NODE1\Catalog\BackupGlobalCatalog": b"c"})
        result = verify_backup_set(marker_present=True, manifest_text=manifest_text(), files=files)
        assert result.status == CORRUPT
        (problem,) = result.problems
        assert problem.file.endswith("BackupGlobalCatalog")
        assert "has 1 bytes, the manifest says 7" in problem.text

    def test_a_hash_mismatch_is_corrupt_and_named(self) -> None:
        contents = dict(CONTENTS)
        contents[r"WindowsImageBackup\NODE1\SystemStateBackup\disk.vhdx"] = b"y" * 1000
        result = verify_backup_set(
            marker_present=True, manifest_text=manifest_text(), files=listing(contents)
        )
        assert result.status == CORRUPT
        (problem,) = result.problems
        assert problem.file == "WindowsImageBackup/NODE1/SystemStateBackup/disk.vhdx"
        assert "SHA-256" in problem.text

    def test_corrupt_outranks_incomplete(self) -> None:
        contents = {r"WindowsImageBackup\NODE1\SystemStateBackup\disk.vhdx": b"z" * 1000}
        result = verify_backup_set(
            marker_present=True, manifest_text=manifest_text(), files=listing(contents)
        )
        assert result.status == CORRUPT
        assert {p.status for p in result.problems} == {CORRUPT, INCOMPLETE}

    def test_paths_match_ignoring_case_and_separator(self) -> None:
        files = [
            ListedFile(p.upper().replace("\\", "/"), f["size"], f["sha256"])
            for p, f in zip(CONTENTS, listing(), strict=True)
        ]
        result = verify_backup_set(marker_present=True, manifest_text=manifest_text(), files=files)
        assert result.status == COMPLETE

    def test_own_files_and_extras_do_not_spoil_the_set(self) -> None:
        files = [
            *listing(),
            {"path": MANIFEST_NAME, "size": 10, "sha256": "0" * 64},
            {"path": COMPLETION_MARKER_NAME, "size": 0, "sha256": "0" * 64},
            {"path": "desktop.ini", "size": 5, "sha256": "1" * 64},
        ]
        result = verify_backup_set(marker_present=True, manifest_text=manifest_text(), files=files)
        assert result.status == COMPLETE
        assert result.unexpected_files == ("desktop.ini",)

    def test_name_and_manifest_disagree_on_the_version(self) -> None:
        other = make_set_name(CREATED, build(paxos_tag="2:2:40").configuration_version)
        result = verify_backup_set(
            marker_present=True, manifest_text=manifest_text(), files=None, set_name=other.name
        )
        assert result.status == CORRUPT
        assert "2:41" in result.message

    def test_name_matching_the_manifest(self) -> None:
        name = make_set_name(CREATED, build().configuration_version)
        result = verify_backup_set(
            marker_present=True, manifest_text=manifest_text(), files=None, set_name=name.name
        )
        assert result.status == COMPLETE


@pytest.mark.parametrize("path", ["", "/a", "a//b", "a/./b", "a/../b", "C:/a", None])
def test_relative_path_refusals(path) -> None:
    with pytest.raises(ManifestError):
        normalize_relative_path(path)


def test_relative_path_separator() -> None:
    assert normalize_relative_path(r"a\b\c.cpt") == "a/b/c.cpt"


class TestVersionRange:
    """A backup during which the configuration changed: recorded with both tags."""

    def ranged(self):
        return build(paxos_tag=version_range(parse_paxos_tag(TAG), parse_paxos_tag("2:2:44")))

    def test_both_tags_are_written(self) -> None:
        document = json.loads(manifest_to_json(self.ranged()))
        assert document["configuration_version"]["paxos_tag"] == TAG
        assert document["configuration_version_after"]["paxos_tag"] == "2:2:44"
        assert document["configuration_version_after"]["sequence"] == 44

    def test_read_back_as_a_range_that_holds_no_single_version(self) -> None:
        parsed = parse_manifest(manifest_to_json(self.ranged()))
        version = parsed.configuration_version
        assert version.moved
        assert (version.first.raw, version.last.raw) == (TAG, "2:2:44")
        assert version != parse_paxos_tag(TAG) and version != parse_paxos_tag("2:2:44")
        assert parsed == self.ranged()

    def test_a_set_written_without_a_change_reads_back_as_one_version(self) -> None:
        version = parse_manifest(manifest_text()).configuration_version
        assert not version.moved and version == parse_paxos_tag(TAG)

    def test_a_ranged_set_is_complete_and_named_after_its_first_version(self) -> None:
        ranged = self.ranged()
        name = make_set_name(CREATED, ranged.configuration_version)
        assert name.name.endswith("_clusterdb_e2s41")
        result = verify_backup_set(
            marker_present=True,
            manifest_text=manifest_to_json(ranged),
            files=listing(),
            set_name=name.name,
        )
        assert result.status == COMPLETE, result.message

    def test_a_timestamped_tag_round_trips(self) -> None:
        manifest = build(paxos_tag=STAMPED)
        parsed = parse_manifest(manifest_to_json(manifest))
        assert parsed.configuration_version.raw == STAMPED
        name = make_set_name(CREATED, parsed.configuration_version)
        result = verify_backup_set(
            marker_present=True,
            manifest_text=manifest_to_json(manifest),
            files=None,
            set_name=name.name,
        )
        assert result.status == COMPLETE, result.message
