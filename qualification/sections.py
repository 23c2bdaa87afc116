"""The questionnaire's sections: what each asks, when it is complete, and how answers read back.

`summary_rows(section)` gives GOV.UK summary-list rows for check-your-answers and for the
assessor's review, so both show the same words. Every value goes out as `text`, so HTML or
script typed into an answer is shown escaped, never run.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from accounts.models import Size
from core.formatting import money
from qualification.models import Application, ApplicationSection, SectionKey
from reference.models import Area, ServiceCategory


@dataclass(frozen=True)
class SectionSpec:
    key: str
    title: str
    hint: str
    url_name: str  # the section's first page, under the "qualification" namespace


SECTIONS: list[SectionSpec] = [
    SectionSpec(SectionKey.ABOUT, SectionKey.ABOUT.label, "What you do and who you help.", "qualification:section"),
    SectionSpec(
        SectionKey.EXCLUSION,
        SectionKey.EXCLUSION.label,
        "Crimes, fraud or other serious problems in the past.",
        "qualification:section",
    ),
    SectionSpec(
        SectionKey.FINANCE, SectionKey.FINANCE.label, "How much money comes in each year.", "qualification:section"
    ),
    SectionSpec(SectionKey.INSURANCE, SectionKey.INSURANCE.label, "The cover you have now.", "qualification:section"),
    SectionSpec(
        SectionKey.SAFEGUARDING,
        SectionKey.SAFEGUARDING.label,
        "How you keep people and their data safe.",
        "qualification:section",
    ),
    SectionSpec(
        SectionKey.SECURITY, SectionKey.SECURITY.label, "How you keep your information safe.", "qualification:section"
    ),
    SectionSpec(
        SectionKey.SERVICES,
        SectionKey.SERVICES.label,
        "What help you give and where.",
        "qualification:services-categories",
    ),
    SectionSpec(
        SectionKey.DECLARATION, SectionKey.DECLARATION.label, "Tell us your answers are true.", "qualification:section"
    ),
]
SPECS: dict[str, SectionSpec] = {spec.key: spec for spec in SECTIONS}
# Sections whose answers carry over to a later "add types of support or areas" application once accepted.
CARRY_OVER_KEYS = [
    SectionKey.ABOUT,
    SectionKey.EXCLUSION,
    SectionKey.FINANCE,
    SectionKey.INSURANCE,
    SectionKey.SAFEGUARDING,
    SectionKey.SECURITY,
]

# The self-certified statement that stands in for ISO 27001: plain words, one idea each.
SECURITY_STATEMENTS: list[str] = [
    "Someone senior is in charge of keeping information safe. They check how it is done at least once a year.",
    "You know what information you hold, where it is kept and who can see it.",
    "Only people who need information for their work can see it.",
    "Staff and volunteers learn how to keep information safe when they start, and again each year.",
    "Computers and phones have a password or PIN, a screen lock and up-to-date software.",
    "You back up important information and you have checked that you can get it back.",
    "You have a plan for when information is lost or stolen. You tell us about it within 3 days.",
    "You check that other groups who handle your information keep it safe.",
]

MANDATORY_GROUNDS: list[str] = [
    "fraud, bribery or money laundering",
    "terrorism, or being in a group linked to terrorism",
    "slavery, people trafficking or using child labour",
    "not paying tax or National Insurance that you owe",
]
DISCRETIONARY_GROUNDS: list[str] = [
    "your organisation went bust, or is being closed down",
    "you broke a contract badly, and it was ended early",
    "you broke laws about the environment, staff or equal treatment",
    "someone who runs it was found guilty of serious wrongdoing at work",
    "you tried to get an unfair advantage when bidding for work",
]

DECLARATION_STATEMENTS: list[str] = [
    "The answers you gave are true and complete.",
    "You will tell us within 10 working days if something changes.",
    "You agree to the rules of the framework, and we may check what you have told us.",
]

YES_NO = {"yes": "Yes", "no": "No"}


def _yes_no(value: Any) -> str:
    return YES_NO.get(str(value), "Not answered")


def _money(value: Any) -> str:
    try:
        return money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return "Not answered"


def _row(key: str, value: str, *, href: str | None = None, label: str | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {"key": {"text": key}, "value": {"text": value or "Not answered"}}
    if href:
        row["actions"] = {"items": [{"href": href, "text": "Change", "visuallyHiddenText": (label or key).lower()}]}
    return row


# --- Completeness -----------------------------------------------------------------------


def is_micro(application: Application) -> bool:
    return application.organisation.size == Size.MICRO


def is_complete(key: str, answers: dict[str, Any], *, application: Application, has_document: bool = False) -> bool:
    """Whether a section's saved answers are enough to submit. Forms check each page; this checks the whole."""
    a = answers or {}
    if key == SectionKey.ABOUT:
        return bool(a.get("what_you_do")) and a.get("probation_experience") in YES_NO
    if key == SectionKey.EXCLUSION:
        return all(
            a.get(q) in YES_NO and (a.get(q) == "no" or bool(a.get(f"{q}_details")))
            for q in ("mandatory", "discretionary")
        )
    if key == SectionKey.FINANCE:
        return bool(a.get("turnover")) and (is_micro(application) or has_document)
    if key == SectionKey.INSURANCE:
        return all(
            a.get(q) in YES_NO and (a.get(q) == "no" or bool(a.get(f"{q}_amount")))
            for q in ("employers_liability", "public_liability", "professional_indemnity")
        )
    if key == SectionKey.SAFEGUARDING:
        return all(a.get(q) in YES_NO for q in ("safeguarding_policy", "dbs_checks", "data_protection_policy"))
    if key == SectionKey.SECURITY:
        return a.get("all_true") in YES_NO and (a.get("all_true") == "yes" or bool(a.get("gaps")))
    if key == SectionKey.SERVICES:
        return bool(a.get("categories")) and (a.get("where") == "all" or bool(a.get("areas") or a.get("councils")))
    if key == SectionKey.DECLARATION:
        return a.get("confirmed") is True
    return False


# --- Services: which categories, which places -------------------------------------------


def chosen_categories(answers: dict[str, Any]) -> list[ServiceCategory]:
    return list(ServiceCategory.objects.filter(code__in=answers.get("categories") or []))


def chosen_areas(answers: dict[str, Any]) -> list[Area]:
    """Every place chosen (country, regions, PCC areas, councils), before dropping covered ones."""
    if answers.get("where") == "all":
        return list(Area.objects.filter(level="country"))
    codes = list(answers.get("areas") or []) + list(answers.get("councils") or [])
    return list(Area.objects.filter(code__in=codes))


def coverage_pairs(answers: dict[str, Any]) -> list[tuple[ServiceCategory, Area]]:
    areas = chosen_areas(answers)
    return [(category, area) for category in chosen_categories(answers) for area in areas]


# --- Summary rows ------------------------------------------------------------------------


def _about_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    return [
        _row("What your organisation does", a.get("what_you_do", ""), href=href),
        _row(
            "Has worked with people on probation or leaving prison",
            _yes_no(a.get("probation_experience")),
            href=href,
            label="work with people on probation",
        ),
    ]


def _exclusion_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    rows = [_row("Crimes that stop you joining", _yes_no(a.get("mandatory")), href=href)]
    if a.get("mandatory") == "yes":
        rows.append(_row("What happened (crimes)", a.get("mandatory_details", ""), href=href))
    rows.append(_row("Other serious problems", _yes_no(a.get("discretionary")), href=href))
    if a.get("discretionary") == "yes":
        rows.append(_row("What happened (other problems)", a.get("discretionary_details", ""), href=href))
    return rows


def _finance_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    documents = [d.original_name for d in section.documents.all()]
    return [
        _row("Money coming in last year", _money(a.get("turnover")), href=href, label="money coming in"),
        _row("Latest accounts", ", ".join(documents) or "None uploaded", href=href, label="latest accounts"),
    ]


def _insurance_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    rows = []
    for field, name in (
        ("employers_liability", "Employer's liability insurance"),
        ("public_liability", "Public liability insurance"),
        ("professional_indemnity", "Professional indemnity insurance"),
    ):
        value = f"Yes, {_money(a.get(f'{field}_amount'))}" if a.get(field) == "yes" else _yes_no(a.get(field))
        rows.append(_row(name, value, href=href))
    return rows


def _safeguarding_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    return [
        _row("Safeguarding policy", _yes_no(a.get("safeguarding_policy")), href=href),
        _row("DBS checks for people who work with the public", _yes_no(a.get("dbs_checks")), href=href),
        _row("Data protection policy", _yes_no(a.get("data_protection_policy")), href=href),
        _row("ICO registration number", a.get("ico_number") or "None given", href=href),
    ]


def _security_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    rows = [
        _row(
            f"Can say yes to all {len(SECURITY_STATEMENTS)} security statements",
            _yes_no(a.get("all_true")),
            href=href,
            label="security statements",
        )
    ]
    if a.get("all_true") == "no":
        rows.append(_row("Statements you cannot say yes to", a.get("gaps", ""), href=href))
    rows.append(_row("Cyber Essentials certificate number", a.get("cyber_essentials") or "None given", href=href))
    return rows


def _services_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    from qualification.selectors.coverage import coverage_sentences

    names = [c.name for c in chosen_categories(a)]
    sentences = coverage_sentences(coverage_pairs(a), verb="You want to deliver")
    return [
        _row("Types of support", ", ".join(names), href=href, label="types of support"),
        _row("Where", " ".join(sentences) or "Not answered", href=href, label="areas"),
    ]


def _declaration_rows(section: ApplicationSection, a: dict[str, Any], href: str | None) -> list[dict[str, Any]]:
    return [_row("Declaration", "Confirmed" if a.get("confirmed") else "Not confirmed", href=href)]


_SUMMARIES = {
    SectionKey.ABOUT: _about_rows,
    SectionKey.EXCLUSION: _exclusion_rows,
    SectionKey.FINANCE: _finance_rows,
    SectionKey.INSURANCE: _insurance_rows,
    SectionKey.SAFEGUARDING: _safeguarding_rows,
    SectionKey.SECURITY: _security_rows,
    SectionKey.SERVICES: _services_rows,
    SectionKey.DECLARATION: _declaration_rows,
}


def summary_rows(section: ApplicationSection, *, change_url: str | None = None) -> list[dict[str, Any]]:
    """GOV.UK summary-list rows for one section. `change_url` adds "Change" links (provider only)."""
    answers = section.answers or {}
    rows = _SUMMARIES.get(section.key)
    if rows is None:
        return [_row(str(k).replace("_", " ").capitalize(), str(v)) for k, v in answers.items()]
    return rows(section, answers, change_url)


def coverage_sentences_for(answers: dict[str, Any], *, verb: str = "You can deliver") -> list[str]:
    """'You can deliver Accommodation across Kent, Surrey and Sussex and in Cardiff.'"""
    from qualification.selectors.coverage import coverage_sentences

    return coverage_sentences(coverage_pairs(answers), verb=verb)
