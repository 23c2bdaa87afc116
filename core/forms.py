"""Django forms rendered as exact GOV.UK components.

`field_params(bound_field)` turns a bound field into the parameters of the matching
govuk-frontend-jinja macro; the `core/forms.html` macros call it. Markup therefore comes
from GOV.UK Frontend's own templates, never from hand-written HTML.

Forms that subclass `GovukForm` or `GovukModelForm` also get GOV.UK wording for length
limits ("Summary must be 500 characters or fewer") and a server-side word limit for any
field given a `max_words` attribute (the character count component shows it).
"""

from __future__ import annotations

import calendar
import datetime
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import BaseValidator, MaxLengthValidator
from django.forms.boundfield import BoundField
from django.forms.utils import pretty_name

DATE_PARTS = ("day", "month", "year")

# GOV.UK's date pattern: accept month names and their usual abbreviations as well as numbers.
_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9


# Line feed, carriage return (browsers send CR LF) and tab are typed by people; every other control
# character is not.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


def has_hidden_characters(text: str) -> bool:
    """True if `text` holds NUL or another control character other than a line break or a tab."""
    return any(unicodedata.category(character) == "Cc" and character not in _ALLOWED_CONTROLS for character in text)


def _sentence_start(text: str) -> str:
    """Capitalise the first letter only ("DBS check date" stays as it is)."""
    return text[:1].upper() + text[1:]


# --- Widgets and fields -------------------------------------------------------------------


class GovukDateWidget(forms.MultiWidget):
    """Three inputs (day, month, year) submitted as NAME-day, NAME-month, NAME-year."""

    template_name = ""  # never rendered by Django; the GOV.UK macro renders it
    parts = DATE_PARTS

    def __init__(self, attrs=None):
        super().__init__([forms.TextInput, forms.TextInput, forms.TextInput], attrs)
        self.widgets_names = [f"-{part}" for part in self.parts]

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date typed as day, month and year, with GOV.UK's error messages.

    The error names what is missing or wrong, as the GOV.UK date input pattern asks:
    "Enter the start date", "Start date must include a month", "Start date must be a real date",
    "Year must include 4 numbers". `label_text` is how the date is named inside those messages.
    """

    widget = GovukDateWidget

    def __init__(self, *, label_text: str = "date", **kwargs):
        self.label_text = label_text
        error_messages = dict(kwargs.pop("error_messages", None) or {})
        error_messages.setdefault("required", f"Enter the {label_text}")
        # The parts are optional one by one: compress() names what is missing, in one message.
        fields = (forms.CharField(required=False), forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(fields=fields, require_all_fields=False, error_messages=error_messages, **kwargs)

    def compress(self, data_list):
        parts = [str(part or "").strip() for part in (list(data_list or []) + [None, None, None])[:3]]
        if not any(parts):
            return None
        day, month, year = parts
        name = _sentence_start(self.label_text)
        missing = [part_name for part_name, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"{name} must include a {' and '.join(missing)}", code="incomplete")
        month_number = _MONTHS.get(month.lower(), month)
        if not (day.isdigit() and str(month_number).isdigit() and year.isdigit()):
            raise ValidationError(f"{name} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            return datetime.date(int(year), int(month_number), int(day))
        except ValueError:
            raise ValidationError(f"{name} must be a real date", code="invalid") from None


class MaxWordsValidator(BaseValidator):
    """Counts words as GOV.UK's character count does: runs of non-space characters."""

    message = "Ensure this value has at most %(limit_value)d words (it has %(show_value)d)."
    code = "max_words"

    def compare(self, a, b):
        return a > b

    def clean(self, x):
        return len(str(x).split())


class _NewlineAwareMaxLengthValidator(MaxLengthValidator):
    """Browsers send each line break in a textarea as two characters (CR LF); GOV.UK's character
    count counts it as one. Count as the person saw it, so text the page accepted is not refused."""

    def clean(self, x):
        return len(str(x).replace("\r\n", "\n"))


def _apply_govuk_limits(field: forms.Field, label: str) -> None:
    label_text = _sentence_start(str(label)).replace("%", "%%")
    max_length = getattr(field, "max_length", None)
    if isinstance(field, forms.CharField) and max_length:
        field.error_messages.setdefault("max_length", f"{label_text} must be {max_length} characters or fewer")
        if isinstance(field.widget, forms.Textarea):
            field.validators = [
                _NewlineAwareMaxLengthValidator(v.limit_value) if type(v) is MaxLengthValidator else v
                for v in field.validators
            ]
    max_words = getattr(field, "max_words", None)
    if max_words and not any(isinstance(v, MaxWordsValidator) for v in field.validators):
        field.error_messages.setdefault("max_words", f"{label_text} must be {max_words} words or fewer")
        field.validators = [*field.validators, MaxWordsValidator(max_words)]


class _GovukFormMixin:
    label_suffix = ""
    # Fields whose label is the page heading (one question per page pattern).
    page_heading_field: str | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if kwargs.get("label_suffix") is None:
            self.label_suffix = ""
        # No bound field may be made here: a BoundField copies its field's label when it is first
        # made and caches it, so one made now would keep the class's label ("Text") after a
        # subclass's __init__ gives the field its real one (the question being answered).

    def full_clean(self):
        # Limits and their messages are applied just before validating, when every label is final.
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            _apply_govuk_limits(field, field.label if field.label is not None else pretty_name(name))
        super().full_clean()  # type: ignore[misc]
        self.refuse_hidden_characters()

    def refuse_hidden_characters(self) -> None:
        """Refuse NUL and every other control character (Unicode category Cc) but the line breaks
        and tabs people type, in whatever any field was sent: PostgreSQL cannot store a NUL, and
        none of them is ever meant. The field gets a GOV.UK error message naming it."""
        if not self.is_bound:  # type: ignore[attr-defined]
            return
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            if isinstance(field.widget, forms.FileInput):
                continue
            sent = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))  # type: ignore[attr-defined]
            values = sent if isinstance(sent, list | tuple) else [sent]
            if any(isinstance(value, str) and has_hidden_characters(value) for value in values):
                label = _sentence_start(str(field.label if field.label is not None else pretty_name(name)))
                self.errors.pop(name, None)  # type: ignore[attr-defined] # this says what is wrong best
                self.add_error(  # type: ignore[attr-defined]
                    name, f"{label} must not include hidden characters, like the ones some programs add"
                )


class GovukForm(_GovukFormMixin, forms.Form):
    """Base form: GOV.UK error wording and no Django label suffix."""


class GovukModelForm(_GovukFormMixin, forms.ModelForm):
    """Base model form: GOV.UK error wording and no Django label suffix."""


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


def _date_parts_in_error(bound: BoundField) -> list[str]:
    """Which of day, month and year to highlight: only the missing ones when some are missing,
    only the year when it is too short, otherwise the whole date (GOV.UK date input pattern)."""
    if not bound.errors:
        return []
    data = bound.form.errors.as_data().get(bound.name) or []
    code = getattr(data[0], "code", None) if data else None
    value = bound.value()
    if code == "incomplete" and isinstance(value, list | tuple):
        parts = [str(part or "").strip() for part in (list(value) + [None, None, None])[:3]]
        missing = [name for name, part in zip(DATE_PARTS, parts, strict=True) if not part]
        if missing:
            return missing
    if code == "invalid_year":
        return ["year"]
    return list(DATE_PARTS)


def field_id(bound: BoundField) -> str:
    """The id of the element an error summary link should focus."""
    widget = bound.field.widget
    if isinstance(widget, GovukDateWidget):
        parts = _date_parts_in_error(bound) or ["day"]
        return f"{bound.html_name}-{parts[0]}"
    # Radios and checkboxes: GOV.UK gives the first input the bare name as its id.
    return bound.html_name


def _date_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    value = bound.value()
    day, month, year = (
        (value or [None, None, None]) if isinstance(value, list) else bound.field.widget.decompress(value)
    )
    in_error = _date_parts_in_error(bound)
    widths = {"day": 2, "month": 2, "year": 4}
    items = [
        {
            "name": part,
            "label": part.capitalize(),
            "value": part_value,
            "classes": f"govuk-input--width-{widths[part]}" + (" govuk-input--error" if part in in_error else ""),
        }
        for part, part_value in zip(DATE_PARTS, (day, month, year), strict=True)
    ]
    return base | {
        "component": "date",
        "namePrefix": bound.html_name,
        "items": items,
        "fieldset": {"legend": _label_or_legend(bound, legend=True)},
    }


def _checkboxes_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    return base | {
        "component": "checkboxes",
        "idPrefix": bound.html_name,
        "items": _items(bound, multiple=True),
        "fieldset": {"legend": _label_or_legend(bound, legend=True)},
    }


def _radios_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    return base | {
        "component": "radios",
        "idPrefix": bound.html_name,
        "items": _items(bound, multiple=False),
        "classes": "govuk-radios--inline" if getattr(bound.field, "inline", False) else None,
        "fieldset": {"legend": _label_or_legend(bound, legend=True)},
    }


def _checkbox_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    # A single yes/no checkbox, e.g. a declaration.
    return base | {
        "component": "checkboxes",
        "idPrefix": bound.html_name,
        "items": [{"value": "on", "text": str(bound.label), "checked": bool(bound.value())}],
    }


def _select_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    chosen = str(bound.value() or "")
    items = [{"value": str(v), "text": str(t), "selected": str(v) == chosen} for v, t in bound.field.choices]
    return base | {"component": "select", "items": items, "label": _label_or_legend(bound, legend=False)}


def _file_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    return base | {"component": "file", "label": _label_or_legend(bound, legend=False)}


def _textarea_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    field, value = bound.field, bound.value()
    params = base | {
        "label": _label_or_legend(bound, legend=False),
        "value": "" if value is None else str(value),
        "rows": field.widget.attrs.get("rows", 5),
    }
    max_words = getattr(field, "max_words", None)
    if max_words:
        return params | {"component": "character-count", "maxwords": max_words}
    if getattr(field, "max_length", None):
        return params | {"component": "character-count", "maxlength": field.max_length}
    return params | {"component": "textarea"}


def _password_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    return base | {
        "component": "password",
        "label": _label_or_legend(bound, legend=False),
        "autocomplete": bound.field.widget.attrs.get("autocomplete", "current-password"),
    }


def _input_params(bound: BoundField, base: dict[str, Any]) -> dict[str, Any]:
    field, widget, value = bound.field, bound.field.widget, bound.value()
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


# Which GOV.UK component renders which widget, most specific first (a RadioSelect is a Select;
# a CheckboxSelectMultiple is a Select too). Anything else is a text-like input.
_COMPONENTS: list[tuple[type, Any]] = [
    (GovukDateWidget, _date_params),
    (forms.CheckboxSelectMultiple, _checkboxes_params),
    (forms.RadioSelect, _radios_params),
    (forms.CheckboxInput, _checkbox_params),
    (forms.Select, _select_params),
    (forms.FileInput, _file_params),
    (forms.Textarea, _textarea_params),
    (forms.PasswordInput, _password_params),
]


def field_params(bound: BoundField) -> dict[str, Any]:
    """Parameters for the GOV.UK macro that renders this field, plus `component` naming it."""
    widget = bound.field.widget
    attrs = {k: v for k, v in widget.attrs.items() if k.startswith("data-") or k in ("inputmode",)}
    base: dict[str, Any] = {
        "id": bound.html_name,
        "name": bound.html_name,
        "hint": _hint(bound),
        "errorMessage": _first_error(bound),
    }
    if attrs:
        base["attributes"] = attrs
    build = next((build for kind, build in _COMPONENTS if isinstance(widget, kind)), _input_params)
    return build(bound, base)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's refusal on the form: beside the field it names where the form has that
    field, otherwise at the top of the page (in the error summary)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


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
