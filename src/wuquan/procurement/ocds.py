"""OCDS 1.1.5 (with the bids extension): ocids, releases, packages, compiled records, and
offline validation (PUB-4; issue 16).

- The schemas are the project's own copy in `schema/` (see schema/SOURCE.md). The release
  schema used everywhere is OCDS 1.1.5's with the bids extension applied (JSON Merge Patch,
  RFC 7386); the package schemas' `$ref` URLs are resolved to local files by a `referencing`
  registry, so validation never touches the network.
- Records are compiled with `ocdsmerge`, given that local schema (a dict: no URL fetched).
- People are never in a release: parties are organisations (buyer, tenderers, suppliers)
  identified by unit code or 统一社会信用代码; no contact point names, no legal
  representatives, no disqualification reasons (a digest stands for the text).
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import ocdsmerge
from django.conf import settings
from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SCHEMA_DIR = Path(__file__).parent / "schema"
BASE_URL = "https://standard.open-contracting.org/schema/1__1__5/"
RELEASE_URL = BASE_URL + "release-schema.json"
RELEASE_PACKAGE_URL = BASE_URL + "release-package-schema.json"
RECORD_PACKAGE_URL = BASE_URL + "record-package-schema.json"
VERSIONED_URL = BASE_URL + "versioned-release-validation-schema.json"
BIDS_EXTENSION_URL = (
    "https://raw.githubusercontent.com/open-contracting-extensions/ocds_bid_extension/"
    "v1.1.5/extension.json"
)
CURRENCY = "CNY"
ORG_SCHEME = "CN-USCC"  # org-id.guide: 统一社会信用代码
UNIT_SCHEME = "CN-LT-UNIT"  # the district's own unit codes (no public register of them)


def ocid_prefix() -> str:
    """The district's registered OCDS prefix (setting `WUQUAN_OCDS_PREFIX`); the default is a
    placeholder of the registered shape until the district registers one with the OCP."""
    return getattr(settings, "WUQUAN_OCDS_PREFIX", "ocds-wuquan")


def ocid_for(tender_id: int) -> str:
    return f"{ocid_prefix()}-{tender_id}"


def publisher() -> dict:
    return {"name": getattr(settings, "WUQUAN_OCDS_PUBLISHER", "吉林市龙潭区人民政府")}


def merge_patch(target, patch):
    """RFC 7386 JSON Merge Patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _load(name: str) -> dict:
    with open(SCHEMA_DIR / name, encoding="utf-8") as f:
        return json.load(f)


@cache
def release_schema() -> dict:
    """OCDS 1.1.5 release schema with the bids extension merged in."""
    return merge_patch(_load("1__1__5/release-schema.json"), _load("bids/release-schema.json"))


@cache
def registry() -> Registry:
    resources = {
        RELEASE_URL: release_schema(),
        RELEASE_PACKAGE_URL: _load("1__1__5/release-package-schema.json"),
        RECORD_PACKAGE_URL: _load("1__1__5/record-package-schema.json"),
        VERSIONED_URL: _load("1__1__5/versioned-release-validation-schema.json"),
    }
    return Registry().with_resources(
        (url, Resource.from_contents(schema, default_specification=DRAFT4))
        for url, schema in resources.items()
    )


@cache
def _validator(url: str) -> Draft4Validator:
    schema = registry()[url].contents
    return Draft4Validator(schema, registry=registry(), format_checker=FormatChecker())


def errors(document: dict, kind: str = "release-package") -> list[str]:
    """Validation errors of a release package, record package or single release."""
    url = {
        "release-package": RELEASE_PACKAGE_URL,
        "record-package": RECORD_PACKAGE_URL,
        "release": RELEASE_URL,
    }[kind]
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in _validator(url).iter_errors(document)
    ]


@cache
def merger() -> ocdsmerge.Merger:
    return ocdsmerge.Merger(schema=release_schema())


def amount(fen: int) -> dict:
    """An OCDS Value from integer fen (yuan, as OCDS wants; exact for two decimals)."""
    yuan = fen // 100 if fen % 100 == 0 else fen / 100
    return {"amount": yuan, "currency": CURRENCY}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def package_meta(published: datetime, uri: str) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [BIDS_EXTENSION_URL],
        "publishedDate": iso(published),
        "publisher": publisher(),
        "license": "https://creativecommons.org/licenses/by/4.0/",
    }


def release_package(releases: list[dict], published: datetime, uri: str) -> dict:
    return {**package_meta(published, uri), "releases": releases}


def compile_record(ocid: str, releases: list[dict]) -> dict:
    releases = sorted(releases, key=lambda r: r["date"])
    return {
        "ocid": ocid,
        "releases": releases,
        "compiledRelease": merger().create_compiled_release(releases),
    }


def record_package(records: list[dict], published: datetime, uri: str) -> dict:
    meta = package_meta(published, uri)
    return {**meta, "packages": [uri], "records": records}
