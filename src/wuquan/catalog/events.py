"""Sensitivity of this app's event payloads (issue 13, finding 4): the payload fields that
hold personal data or free text and so enter the permanent leaf only as salted commitments
(wuquan.ledger.commitments). Keys are actions or fnmatch patterns; values are dotted payload
paths. (The action constants and payload builders of the issue "one path for every write"
are added to this module by that work.)"""

SENSITIVE: dict[str, tuple[str, ...]] = {
    # the clerk's reason and every free-text field of the catalogue object (its name too:
    # a risk point or a discretion standard is named by its description); a flow version's
    # step names are typed by the clerk too (the PII crawl named one after a person)
    "catalog.*": ("reason", "name", "fields", "changes", "note", "steps"),
}
