"""How much a micro charity meets to qualify for one type of support in one PCC area, counted from
the forms themselves. docs/joining-burden.md states the same numbers; this test fails if they drift."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from qualification import forms as qforms

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "joining-burden.md"

# (page, form, fields a micro charity fills in). Pages without a form have nothing to fill in.
# Follow-up fields count as shown only where the charity's answer needs them (here: two insurance amounts).
MICRO_CHARITY_PATH: list[tuple[str, type | None, list[str]]] = [
    ("Start page", None, []),
    ("Your details", qforms.YouForm, ["full_name", "email", "password"]),
    ("Your organisation", qforms.OrganisationForm, ["legal_name", "organisation_type", "charity_number"]),
    ("How big is your organisation?", qforms.SizeForm, ["staff_band", "turnover_band"]),
    ("Address and contact details", qforms.AddressForm, ["address_line_1", "town", "postcode", "contact_email"]),
    ("Check your answers (account)", None, []),
    ("Register your interest (one click)", None, []),
    ("Task list", None, []),
    ("About your organisation", qforms.AboutForm, ["what_you_do", "probation_experience"]),
    ("Reasons you might not be able to join", qforms.ExclusionForm, ["mandatory", "discretionary"]),
    ("Money and accounts", qforms.FinanceForm, ["turnover"]),
    (
        "Insurance",
        qforms.InsuranceForm,
        [
            "employers_liability",
            "employers_liability_amount",
            "public_liability",
            "public_liability_amount",
            "professional_indemnity",
        ],
    ),
    (
        "Keeping people and data safe",
        qforms.SafeguardingForm,
        ["safeguarding_policy", "dbs_checks", "data_protection_policy"],
    ),
    ("Information security", qforms.SecurityForm, ["all_true"]),
    ("What help can you give?", qforms.CategoriesForm, ["needs"]),
    ("Where can you give this help?", qforms.WhereForm, ["where"]),
    ("Choose the places you work in", qforms.AreasForm, ["region_K"]),
    ("Check the help you give and where", None, []),
    ("Declaration", qforms.DeclarationForm, ["confirmed"]),
    ("Check your answers (application)", None, []),
    ("Application sent", None, []),
]


def count() -> dict[str, int]:
    pages = len(MICRO_CHARITY_PATH)
    question_pages = sum(1 for _, form, _ in MICRO_CHARITY_PATH if form is not None)
    shown = 0
    answered = 0
    for _page, form_class, filled in MICRO_CHARITY_PATH:
        if form_class is None:
            continue
        form = form_class()
        revealed = form.revealed_fields() if hasattr(form, "revealed_fields") else set()
        for name in filled:
            assert name in form.fields, f"{form_class.__name__} has no field {name}"
        # Each group of checkboxes or radios counts as one field; follow-ups count only when needed.
        shown += sum(1 for name in form.fields if name not in revealed or name in filled)
        answered += len(filled)
    return {"pages": pages, "question_pages": question_pages, "shown": shown, "answered": answered}


def test_burden_document_matches_the_forms():
    numbers = count()
    text = DOC.read_text()
    stated = {
        key: int(re.search(pattern, text).group(1))
        for key, pattern in {
            "pages": r"Pages met: \*\*(\d+)\*\*",
            "question_pages": r"Pages with questions: \*\*(\d+)\*\*",
            "shown": r"Fields shown: \*\*(\d+)\*\*",
            "answered": r"Fields filled in: \*\*(\d+)\*\*",
        }.items()
    }
    assert stated == numbers


def test_a_micro_charity_fills_in_at_most_30_fields():
    assert count()["answered"] <= 30
