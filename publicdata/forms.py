"""Filters for the public opportunities page and the public contracts register.

The same forms parse the query string of the pages, the CSV download and the JSON API, so the
three always agree on what a filter means.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from accounts.models import OrganisationType, Size
from core.clock import financial_year_label
from core.forms import GovukForm
from reference.models import Area, AreaLevel, ServiceCategory, ServiceType


def _service_type_choices() -> list[tuple[str, str]]:
    return [("", "Any service")] + [(t.code, t.name) for t in ServiceType.objects.all()]


def _area_choices(level: str, empty: str) -> list[tuple[str, str]]:
    return [("", empty)] + [(a.code, a.name) for a in Area.objects.filter(level=level).order_by("name")]


class OpportunityFilterForm(GovukForm):
    service_type = forms.ChoiceField(label="Service", required=False)
    region = forms.ChoiceField(label="Region", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = _service_type_choices()
        self.fields["region"].choices = _area_choices(AreaLevel.REGION, "Any region")
        self.fields["service_type"].error_messages["invalid_choice"] = "Choose a service from the list"
        self.fields["region"].error_messages["invalid_choice"] = "Choose a region from the list"

    def chosen(self) -> tuple[ServiceType | None, Area | None]:
        """The chosen service type and region; nothing when the form is not valid."""
        if not self.is_valid():
            return None, None
        code = self.cleaned_data.get("service_type")
        region = self.cleaned_data.get("region")
        return (
            ServiceType.objects.filter(code=code).first() if code else None,
            Area.objects.filter(code=region).first() if region else None,
        )


@dataclass(frozen=True)
class ContractFilters:
    service_type: ServiceType | None = None
    category: ServiceCategory | None = None
    region: Area | None = None
    pcc_area: Area | None = None
    local_authority: Area | None = None
    provider: str = ""
    organisation_type: str = ""
    size: str = ""
    financial_year: int | None = None

    @property
    def areas(self) -> list[Area]:
        return [area for area in (self.region, self.pcc_area, self.local_authority) if area is not None]

    @property
    def any(self) -> bool:
        return any(
            (
                self.service_type,
                self.category,
                self.areas,
                self.provider,
                self.organisation_type,
                self.size,
                self.financial_year,
            )
        )


# Contracts run over about ten years; a year outside these is refused with a clear message.
FIRST_FINANCIAL_YEAR = 2015
LAST_FINANCIAL_YEAR = 2040


class ContractFilterForm(GovukForm):
    service_type = forms.ChoiceField(label="Service", required=False)
    category = forms.ChoiceField(label="Type of support", required=False)
    region = forms.ChoiceField(label="Region", required=False)
    pcc_area = forms.ChoiceField(label="Police and crime commissioner area", required=False)
    local_authority = forms.ChoiceField(label="Local authority", required=False)
    provider = forms.CharField(
        label="Organisation name",
        required=False,
        max_length=100,
        help_text="The main organisation or a partner",
        error_messages={"max_length": "Organisation name must be 100 characters or fewer"},
    )
    organisation_type = forms.ChoiceField(label="Type of organisation", required=False)
    size = forms.ChoiceField(label="Size of organisation", required=False)
    financial_year = forms.ChoiceField(label="Financial year (April to March)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_type"].choices = _service_type_choices()
        self.fields["category"].choices = [("", "Any type of support")] + [
            (c.code, c.name) for c in ServiceCategory.objects.all()
        ]
        self.fields["region"].choices = _area_choices(AreaLevel.REGION, "Any region")
        self.fields["pcc_area"].choices = _area_choices(AreaLevel.PCC_AREA, "Any police and crime commissioner area")
        self.fields["local_authority"].choices = _area_choices(AreaLevel.LOCAL_AUTHORITY, "Any local authority")
        self.fields["organisation_type"].choices = [("", "Any type")] + list(OrganisationType.choices)
        self.fields["size"].choices = [("", "Any size")] + list(Size.choices)
        self.fields["financial_year"].choices = [("", "Any year")] + [
            (str(year), financial_year_label(year)) for year in range(LAST_FINANCIAL_YEAR, FIRST_FINANCIAL_YEAR - 1, -1)
        ]
        for name, what in (
            ("service_type", "a service"),
            ("category", "a type of support"),
            ("region", "a region"),
            ("pcc_area", "a police and crime commissioner area"),
            ("local_authority", "a local authority"),
            ("organisation_type", "a type of organisation"),
            ("size", "a size"),
            ("financial_year", "a financial year"),
        ):
            self.fields[name].error_messages["invalid_choice"] = f"Choose {what} from the list"

    def filters(self) -> ContractFilters:
        """The chosen filters; no filters when the form is not valid."""
        if not self.is_valid():
            return ContractFilters()
        data = self.cleaned_data

        def area(name: str) -> Area | None:
            return Area.objects.filter(code=data[name]).first() if data.get(name) else None

        return ContractFilters(
            service_type=ServiceType.objects.filter(code=data["service_type"]).first()
            if data.get("service_type")
            else None,
            category=ServiceCategory.objects.filter(code=data["category"]).first() if data.get("category") else None,
            region=area("region"),
            pcc_area=area("pcc_area"),
            local_authority=area("local_authority"),
            provider=(data.get("provider") or "").strip(),
            organisation_type=data.get("organisation_type") or "",
            size=data.get("size") or "",
            financial_year=int(data["financial_year"]) if data.get("financial_year") else None,
        )
