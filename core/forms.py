"""Django forms rendered as exact GOV.UK components.

`field_params(bound_field)` turns a bound field into the parameters of the matching
govuk-frontend-jinja macro; the `core/forms.html` macros call it. Markup therefore comes
from GOV.UK Frontend's own templates, never from hand-written HTML.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

# --- Widgets and fields -------------------------------------------------------------------


class GovukDateWidget(forms.MultiWidget):
    """Three inputs (day, month, year) submitted as NAME-day, NAME-month, NAME-year."""

    template_name = ""  # never rendered by Django; the GOV.UK macro renders it
    parts = ("day", "month", "year")

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)
        self.widgets_names = [f"-{part}" for part in self.parts]

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK's error messages.

    The error names what is missing or wrong, as the GOV.UK date input pattern asks.
    """

    widget = GovukDateWidget

    def __init__(self, *, label_text: str = "date", **kwargs):
        self.label_text = label_text
        fields = (forms.CharField(), forms.CharField(), forms.CharField())
        super().__init__(fields=fields, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        day, month, year = (str(part or "").strip() for part in data_list)
        missing = [name for name, part in zip(("day", "month", "year"), (day, month, year), strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{self.label_text.capitalize()} must include a {' and a '.join(missing)}", code="incomplete"
            )
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{self.label_text.capitalize()} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.label_text.capitalize()} must be a real date", code="invalid") from None

    def clean(self, value):
        if self.required and (not value or not any(str(v or "").strip() for v in value)):
            raise ValidationError(f"Enter the {self.label_text}", code="required")
        return super().clean(value)


class GovukForm(forms.Form):
    """Base form: GOV.UK error wording and no Django label suffix."""

    label_suffix = ""
    # Fields whose label is the page heading (one question per page pattern).
    page_heading_field: str | None = None


class GovukModelForm(forms.ModelForm):
    label_suffix = ""
    page_heading_field: str | None = None


# --- Rendering parameters ------------------------------------------------------------------


def _first_error(bound: BoundField) -> dict[str, str] | None:
    if bound.errors:
        return {"text": str(bound.errors[0])}
    return None


def _hint(bound: BoundField) -> dict[str, str] | None:
    return {"text": str(bound.help_text)} if bound.help_text else None


def _label_or_legend(bound: BoundField, *, legend: bool) -> dict[str, Any]:
    is_heading = getattr(bound.form, "page_heading_field", None) == bound.name
    data: dict[str, Any] = {"text": str(bound.label)}
    if is_heading:
        data["isPageHeading"] = True
        data["classes"] = "govuk-fieldset__legend--l" if legend else "govuk-label--l"
    elif legend:
        data["classes"] = "govuk-fieldset__legend--m"
    return data


def _items(bound: BoundField, *, multiple: bool) -> list[dict[str, Any]]:
    value = bound.value()
    if multiple:
        chosen = {str(v) for v in (value or [])}
    else:
        chosen = {str(value)} if value not in (None, "") else set()
    hints = getattr(bound.field, "choice_hints", {}) or {}
    items: list[dict[str, Any]] = []
    for choice_value, choice_label in bound.field.choices:
        if choice_value in ("", None) and not multiple:
            continue
        key = str(getattr(choice_value, "value", choice_value))
        item: dict[str, Any] = {"value": key, "text": str(choice_label), "checked": key in chosen}
        if key in hints:
            item["hint"] = {"text": str(hints[key])}
        items.append(item)
    return items


def field_id(bound: BoundField) -> str:
    """The id of the element an error summary link should focus."""
    widget = bound.field.widget
    if isinstance(widget, GovukDateWidget):
        return f"{bound.html_name}-day"
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return bound.html_name  # GOV.UK gives the first radio/checkbox the bare name as id
    return bound.html_name


def field_params(bound: BoundField) -> dict[str, Any]:
    """Parameters for the GOV.UK macro that renders this field, plus `component` naming it."""
    field = bound.field
    widget = field.widget
    name = bound.html_name
    attrs = {k: v for k, v in widget.attrs.items() if k.startswith("data-") or k in ("inputmode",)}
    base: dict[str, Any] = {
        "id": name,
        "name": name,
        "hint": _hint(bound),
        "errorMessage": _first_error(bound),
    }
    if attrs:
        base["attributes"] = attrs

    if isinstance(widget, GovukDateWidget):
        day, month, year = (
            (bound.value() or [None, None, None])
            if isinstance(bound.value(), list)
            else (widget.decompress(bound.value()))
        )
        error_all = bool(bound.errors)
        items = [
            {
                "name": "day",
                "label": "Day",
                "value": day,
                "classes": "govuk-input--width-2" + (" govuk-input--error" if error_all else ""),
            },
            {
                "name": "month",
                "label": "Month",
                "value": month,
                "classes": "govuk-input--width-2" + (" govuk-input--error" if error_all else ""),
            },
            {
                "name": "year",
                "label": "Year",
                "value": year,
                "classes": "govuk-input--width-4" + (" govuk-input--error" if error_all else ""),
            },
        ]
        return base | {
            "component": "date",
            "namePrefix": name,
            "items": items,
            "fieldset": {"legend": _label_or_legend(bound, legend=True)},
        }
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return base | {
            "component": "checkboxes",
            "idPrefix": name,
            "items": _items(bound, multiple=True),
            "fieldset": {"legend": _label_or_legend(bound, legend=True)},
        }
    if isinstance(widget, forms.RadioSelect):
        return base | {
            "component": "radios",
            "idPrefix": name,
            "items": _items(bound, multiple=False),
            "classes": "govuk-radios--inline" if getattr(field, "inline", False) else None,
            "fieldset": {"legend": _label_or_legend(bound, legend=True)},
        }
    if isinstance(widget, forms.CheckboxInput):
        # A single yes/no checkbox, e.g. a declaration.
        return base | {
            "component": "checkboxes",
            "idPrefix": name,
            "items": [{"value": "on", "text": str(bound.label), "checked": bool(bound.value())}],
        }
    if isinstance(widget, forms.Select):
        items = [
            {"value": str(v), "text": str(t), "selected": str(v) == str(bound.value() or "")} for v, t in field.choices
        ]
        return base | {"component": "select", "items": items, "label": _label_or_legend(bound, legend=False)}
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return base | {"component": "file", "label": _label_or_legend(bound, legend=False)}
    if isinstance(widget, forms.Textarea):
        value = bound.value()
        params = base | {
            "label": _label_or_legend(bound, legend=False),
            "value": "" if value is None else str(value),
            "rows": widget.attrs.get("rows", 5),
        }
        max_words = getattr(field, "max_words", None)
        if max_words or getattr(field, "max_length", None):
            if max_words:
                params["maxwords"] = max_words
            else:
                params["maxlength"] = field.max_length
            return params | {"component": "character-count"}
        return params | {"component": "textarea"}
    if isinstance(widget, forms.PasswordInput):
        return base | {
            "component": "password",
            "label": _label_or_legend(bound, legend=False),
            "autocomplete": widget.attrs.get("autocomplete", "current-password"),
        }
    # Text-like inputs
    value = bound.value()
    input_type = getattr(widget, "input_type", "text")
    params = base | {
        "component": "input",
        "type": "text" if input_type == "number" else input_type,
        "label": _label_or_legend(bound, legend=False),
        "value": "" if value is None else str(value),
        "autocomplete": widget.attrs.get("autocomplete"),
        "spellcheck": False if input_type == "email" else None,
        "classes": widget.attrs.get("class"),
    }
    if input_type == "number":
        # GOV.UK: numbers in a text input with inputmode, never type=number.
        params["inputmode"] = "numeric"
    prefix = getattr(field, "prefix", None)
    if prefix:
        params["prefix"] = {"text": prefix}
    return params


def error_summary_items(*forms_: forms.BaseForm) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            items.append({"text": str(error), "href": "#main-content"})
        for bound in form:
            if bound.errors:
                items.append({"text": str(bound.errors[0]), "href": f"#{field_id(bound)}"})
    return items
