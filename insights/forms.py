"""The filters on every insight page: region, PCC area and financial year (and, on some, a breakdown)."""

from __future__ import annotations

from django import forms

from core.bounds import bounded_int
from core.forms import GovukForm
from insights.scope import Scope
from insights.selectors.common import financial_year_choices
from insights.selectors.smaller_providers import AWARDED, MEASURES
from reference.models import Area, AreaLevel

BREAKDOWN_CHOICES = {
    "smaller-providers": [
        ("", "One level down"),
        (AreaLevel.REGION, "Region"),
        (AreaLevel.PCC_AREA, "PCC area"),
        (AreaLevel.LOCAL_AUTHORITY, "Local authority"),
    ],
    "coverage": [(AreaLevel.PCC_AREA, "PCC area"), (AreaLevel.REGION, "Region")],
    "volumes-and-value": [("", "One level down"), (AreaLevel.REGION, "Region"), (AreaLevel.PCC_AREA, "PCC area")],
}


# The financial years a filter may name: 2025 is April 2025 to March 2026.
FIRST_YEAR = 2000
LAST_YEAR = 2100


class ScopeError(ValueError):
    """A filter that names no real area or year, in words a person can act on."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def scope_from_codes(*, region: str | None, pcc_area: str | None, year: int | str | None) -> Scope:
    """The Scope for codes typed into a URL (shared by the pages and the API)."""
    chosen_region = chosen_pcc = None
    if region:
        chosen_region = Area.objects.filter(code=region, level=AreaLevel.REGION).first()
        if chosen_region is None:
            raise ScopeError("region", f"There is no region with the code {region}")
    if pcc_area:
        chosen_pcc = Area.objects.filter(code=pcc_area, level=AreaLevel.PCC_AREA).first()
        if chosen_pcc is None:
            raise ScopeError("pcc_area", f"There is no PCC area with the code {pcc_area}")
        if chosen_region is not None and chosen_pcc.parent_id != chosen_region.pk:
            raise ScopeError("pcc_area", f"{chosen_pcc.name} is not in {chosen_region.name}")
    financial_year = None
    if year not in (None, ""):
        financial_year = bounded_int(year, minimum=FIRST_YEAR, maximum=LAST_YEAR)
        if financial_year is None:
            raise ScopeError("year", f"Financial year must be a year from {FIRST_YEAR} to {LAST_YEAR}, like 2025")
    return Scope(area=chosen_pcc or chosen_region, financial_year=financial_year)


class InsightFilterForm(GovukForm):
    region = forms.ChoiceField(label="Region", required=False)
    pcc_area = forms.ChoiceField(label="Police and crime commissioner (PCC) area", required=False)
    year = forms.ChoiceField(label="Financial year (April to March)", required=False)

    def __init__(self, *args, breakdown: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = list(Area.objects.filter(level__in=[AreaLevel.REGION, AreaLevel.PCC_AREA]).order_by("name"))
        self.fields["region"].choices = [("", "All regions")] + [
            (a.code, a.name) for a in areas if a.level == AreaLevel.REGION
        ]
        self.fields["pcc_area"].choices = [("", "All PCC areas")] + [
            (a.code, a.name) for a in areas if a.level == AreaLevel.PCC_AREA
        ]
        self.fields["year"].choices = [("", "All years")] + [(str(y), label) for y, label in financial_year_choices()]
        self.fields["region"].error_messages["invalid_choice"] = "Choose a region from the list"
        self.fields["pcc_area"].error_messages["invalid_choice"] = "Choose a PCC area from the list"
        self.fields["year"].error_messages["invalid_choice"] = "Choose a financial year from the list"
        self._parents = {a.code: a.parent_id for a in areas}
        self._ids = {a.code: a.pk for a in areas}
        if breakdown in BREAKDOWN_CHOICES:
            self.fields["by"] = forms.ChoiceField(
                label="Show each" if breakdown == "coverage" else "Show areas by",
                required=False,
                choices=BREAKDOWN_CHOICES[breakdown],
                error_messages={"invalid_choice": "Choose how to show areas from the list"},
            )

        if breakdown == "smaller-providers":
            self.fields["measure"] = forms.ChoiceField(
                label="Count the money",
                required=False,
                choices=MEASURES,
                error_messages={"invalid_choice": "Choose how to count the money from the list"},
            )

    def clean(self):
        cleaned = super().clean()
        region, pcc = cleaned.get("region"), cleaned.get("pcc_area")
        if region and pcc and self._parents.get(pcc) != self._ids.get(region):
            self.add_error("pcc_area", "Choose a PCC area in the region you chose, or choose all PCC areas")
        return cleaned

    def scope(self) -> Scope:
        if not self.is_valid():
            return Scope()
        return scope_from_codes(
            region=self.cleaned_data.get("region"),
            pcc_area=self.cleaned_data.get("pcc_area"),
            year=self.cleaned_data.get("year"),
        )

    def measure_choice(self) -> dict:
        """The chosen measure, for the insights that offer one (passed to the insight as `measure`)."""
        if "measure" not in self.fields:
            return {}
        return {"measure": (self.cleaned_data.get("measure") if self.is_valid() else None) or AWARDED}

    def breakdown(self) -> str | None:
        if not self.is_valid():
            return None
        return self.cleaned_data.get("by") or None
