"""docs/requirements.md is generated (issue 11); this fails when it is stale."""

from pathlib import Path

from wuquan.common import requirements_table

ROOT = Path(__file__).resolve().parents[2]


def test_requirements_table_is_current():
    committed = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    assert committed == requirements_table.table(ROOT), (
        "docs/requirements.md is stale: run "
        "`python -m wuquan.common.requirements_table > docs/requirements.md`"
    )


def test_requirements_table_lists_every_requirement_once():
    ids = [rid for rid, _title in requirements_table.requirements(ROOT)]
    assert len(ids) == len(set(ids)) and {"DEC-5", "AUD-1", "APR-2"} <= set(ids)
    rows = [line for line in requirements_table.table(ROOT).splitlines() if line.startswith("| ")]
    assert [r.split(" | ")[0][2:] for r in rows[1:]] == ids


def test_an_id_is_matched_as_a_word_not_a_prefix(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "REQUIREMENTS.md").write_text("- APR-1 one\n- APR-10 ten\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("# APR-10 only\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_apr1_x():\n    pass\n")
    rows = dict(
        (line.split(" | ")[0][2:], line)
        for line in requirements_table.table(tmp_path).splitlines()
        if line.startswith("| APR")
    )
    assert "src/a.py" not in rows["APR-1"] and "src/a.py" in rows["APR-10"]
    assert "test_apr1_x" in rows["APR-1"] and "test_apr1_x" not in rows["APR-10"]
