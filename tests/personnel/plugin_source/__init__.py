"""A source added later (as 三资 payees and subsidy lists will be): only a `parties.py`."""
