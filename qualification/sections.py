"""The questionnaire's sections: their pages (forms) and how answers read back.

`summary_rows(section)` gives GOV.UK summary-list rows for check-your-answers and for the
assessor's review, so both show the same words.
"""

from __future__ import annotations

from typing import Any

from qualification.models import ApplicationSection


def summary_rows(section: ApplicationSection) -> list[dict[str, Any]]:
    rows = []
    for key, value in (section.answers or {}).items():
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        rows.append({"key": {"text": key.replace("_", " ").capitalize()}, "value": {"text": str(value)}})
    return rows
