"""Rows a 三资 platform would yield: a village's contract payees and its subsidy list. The rows
are whatever the test puts in ROWS (the convention, not the data, is under test)."""

ROWS: list[dict] = []


def parties(as_of):
    yield from ROWS
