"""The supervision file of a cadre (干部监督档案, 附件7 二(八); PER-6): drawn live from every app
that offers `cadre_file.sections(person, as_of)` — nothing is copied.

A section is {"source": app label, "title": str, "rows": [{"on": date|None, "text": str,
"link": url|""}]}; an app with nothing on the person returns []."""

from __future__ import annotations

import logging

from . import plugins

log = logging.getLogger(__name__)


def file_for(person, as_of, user=None) -> list[dict]:
    sections = []
    for module in plugins.modules("cadre_file"):
        try:
            sections.extend(module.sections(person, as_of))
        except Exception:  # why: one app's broken provider must not hide the others
            log.exception("cadre_file provider %s failed", module.__name__)
            sections.append(
                {
                    "source": module.__name__,
                    "title": "（该来源暂不可用）",
                    "rows": [],
                    "error": True,
                }
            )
    return sections
