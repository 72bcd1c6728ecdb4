"""Sensitivity of this app's event payloads (issue 13, finding 4): the payload fields that
hold personal data or free text and so enter the permanent leaf only as salted commitments
(wuquan.ledger.commitments). Keys are actions or fnmatch patterns; values are dotted payload
paths. (The action constants and payload builders of the issue "one path for every write"
are added to this module by that work.)"""

SENSITIVE: dict[str, tuple[str, ...]] = {
    # a person's name (ID number and phone are already reduced to "is set" by org.services)
    "org.person.*": ("name",),
    "org.post.*": ("duties",),
}
