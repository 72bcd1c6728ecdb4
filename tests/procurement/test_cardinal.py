"""Cardinal's own fixtures (tests/procurement/cardinal/, MIT, see SOURCE): every one must give
exactly Cardinal's output — the same groups, keys, codes and values, and floats where
Cardinal writes floats."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wuquan.procurement import cardinal

HERE = Path(__file__).parent / "cardinal"
FIXTURES = sorted(p.stem for p in (HERE / "fixtures").glob("*.jsonl"))
# The settings Cardinal's test suite runs every fixture with: processes whose
# procurementMethodDetails is "NPC" have no price comparison, "EXC" is excluded.
GLOBAL = {
    "no_price_comparison_procurement_methods": "NPC",
    "exclusions": {"procurement_method_details": "EXC"},
}
SECTIONS = {
    "R003-procurement_method_details-x-5-y-10": {"procurement_method_details": {"x": 5, "y": 10}},
    "R003-procurement_methods-open+selective": {"procurement_methods": "open|selective"},
    "R003-threshold-10": {"threshold": 10},
    "R048-minimum_contracting_processes-1": {"minimum_contracting_processes": 1},
}


def _settings(name: str) -> dict:
    code = name.split("-")[0]
    return {**GLOBAL, code: SECTIONS.get(name, {})}


def _strict(value):
    """A JSON value with its number types kept apart (1.0 is not 1)."""
    if isinstance(value, dict):
        return {k: _strict(v) for k, v in value.items()}
    if isinstance(value, float):
        return ("float", value)
    return value


def _lines(name):
    with open(HERE / "fixtures" / f"{name}.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_every_indicator_has_fixtures():
    assert {name.split("-")[0] for name in FIXTURES} == set(cardinal.ALL)


@pytest.mark.parametrize("name", FIXTURES)
def test_cardinal_fixture(name):
    expected = json.loads((HERE / "fixtures" / f"{name}.expected").read_text())
    got = cardinal.indicators(_lines(name), _settings(name))
    assert _strict(got) == _strict(expected)


@pytest.mark.parametrize(
    "code,example",
    [(code, code[1:]) for code in cardinal.ALL],
)
def test_cardinal_documented_examples(code, example):
    """The examples of Cardinal's pages, with their settings (every section empty but
    048.ini's `minimum_contracting_processes = 1`)."""
    with open(HERE / "examples" / f"{example}.jsonl") as f:
        lines = [json.loads(line) for line in f if line.strip()]
    docs = (HERE / "indicators-doc" / f"{example}.md").read_text()
    shown = docs.split("--no-meta")[1].split("\n", 2)[1]
    section = {"minimum_contracting_processes": 1} if code == "R048" else {}
    assert _strict(cardinal.indicators(lines, {code: section})) == _strict(json.loads(shown))


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=40), st.floats(0, 1))
def test_quantile_lies_between_min_and_max(values, tau):
    values.sort()
    q = cardinal.quantile(values, tau)
    assert values[0] - 1e-6 <= q <= values[-1] + 1e-6
