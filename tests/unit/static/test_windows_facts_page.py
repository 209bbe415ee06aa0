"""docs/windows-behaviour.md holds every Windows fact the project cites, each with a source and
a status, and every sample file under tests/samples/windows is a sample of the page, verbatim."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "windows-behaviour.md"
SAMPLES = ROOT / "tests" / "samples" / "windows"
FACT = re.compile(r"^### ([a-z0-9][a-z0-9-]*) — ", re.MULTILINE)
# The starting material the project once cited, kept outside it (spelt in two parts so that
# this file does not cite it).
OUTSIDE_PAGE = "windows-cluster" + "-facts"
CITATION = re.compile(r"windows-behaviour\.md#([a-z0-9][a-z0-9-]*)")


def facts() -> dict[str, str]:
    """Fact id -> the fact's text (up to the next fact or section)."""
    text = PAGE.read_text(encoding="utf-8")
    starts = [(m.group(1), m.start()) for m in FACT.finditer(text)]
    bodies = {}
    for index, (fact, start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        bodies[fact] = text[start:end]
    return bodies


def tracked_files() -> list[Path]:
    names = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    return [ROOT / n for n in names if (ROOT / n).is_file()]


def test_every_fact_has_an_anchor_a_source_and_a_status() -> None:
    text = PAGE.read_text(encoding="utf-8")
    assert len(facts()) >= 50
    for fact, body in facts().items():
        assert f'<a id="{fact}"></a>' in text, fact
        assert "Source:" in body or "Sources:" in body, fact
        assert re.search(r"^Status: (confirmed|\*unconfirmed\*)", body, re.MULTILINE), fact


def test_every_citation_in_the_project_names_a_fact_of_the_page() -> None:
    known = set(facts())
    missing = []
    for path in tracked_files():
        if path.suffix not in {".py", ".ps1", ".psm1", ".cs", ".md", ".yml", ".yaml", ".sh"}:
            continue
        for fact in CITATION.findall(path.read_text(encoding="utf-8", errors="replace")):
            if fact not in known:
                missing.append(f"{path.relative_to(ROOT)}: #{fact}")
    assert not missing, "citations of facts the page does not have:\n" + "\n".join(missing)


def test_no_file_cites_a_page_outside_the_project() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in tracked_files()
        if p.suffix in {".py", ".ps1", ".psm1", ".cs", ".md", ".yml", ".yaml", ".sh", ".txt"}
        and OUTSIDE_PAGE in p.read_text(encoding="utf-8", errors="replace")
    ]
    assert not offenders, offenders


def test_every_sample_file_is_a_sample_of_the_page_verbatim() -> None:
    text = PAGE.read_text(encoding="utf-8")
    files = list(SAMPLES.glob("*.txt"))
    assert files
    for sample in files:
        assert sample.read_text(encoding="utf-8").strip("\n") in text, sample.name
