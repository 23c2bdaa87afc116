"""Django form fields rendered as GOV.UK components through the `govuk_field` macro.

Each test renders a small Jinja template with the project's own environment, so what is
checked is exactly what a page would show.
"""

from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django import forms
from django.template import engines

from core.forms import GovukDateField, GovukForm, error_summary_items, field_id

# --- A tiny HTML reader for assertions ---------------------------------------------------


class _Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"


class _Collector(HTMLParser):
    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.elements: list[_Element] = []
        self._open: list[_Element] = []

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data


class Html:
    def __init__(self, markup: str):
        self.markup = markup
        collector = _Collector()
        collector.feed(markup)
        self.elements = collector.elements

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[_Element]:
        found = []
        for element in self.elements:
            if tag and element.tag != tag:
                continue
            if cls and cls not in element.classes:
                continue
            if any(element.attrs.get(key.replace("_", "-")) != value for key, value in attrs.items()):
                continue
            found.append(element)
        return found

    def one(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> _Element:
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, f"expected one {tag} {cls} {attrs}, found {found} in\n{self.markup}"
        return found[0]


def render(template: str, **context) -> Html:
    env = engines["jinja2"].env
    source = '{% from "core/forms.html" import govuk_field, govuk_fields, error_summary %}' + template
    return Html(env.from_string(source).render(context))


def render_field(form: forms.Form, name: str) -> Html:
    return render("{{ govuk_field(form[name]) }}", form=form, name=name)


# --- The test form -----------------------------------------------------------------------

COLOURS = [("red", "Red"), ("blue", "Blue"), ("green", "Green")]
NEEDS = [("accommodation", "Accommodation"), ("ete", "Education, Training and Employment"), ("family", "Family")]
REGIONS = [("", "Choose a region"), ("A", "North East"), ("K", "Kent, Surrey and Sussex")]


class ExampleForm(GovukForm):
    name = forms.CharField(label="Organisation name", max_length=100, error_messages={"required": "Enter a name"})
    email = forms.EmailField(
        label="Email address",
        error_messages={"required": "Enter an email address", "invalid": "Enter an email address in the right format"},
    )
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea, max_length=50, error_messages={"required": "Enter a summary"}
    )
    story = forms.CharField(label="Your story", widget=forms.Textarea, required=False)
    colour = forms.ChoiceField(
        label="Colour", choices=COLOURS, widget=forms.RadioSelect, error_messages={"required": "Select a colour"}
    )
    needs = forms.MultipleChoiceField(
        label="Types of support",
        choices=NEEDS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one type of support"},
    )
    start = GovukDateField(label="When will you start?", label_text="start date")
    region = forms.ChoiceField(label="Region", choices=REGIONS, error_messages={"required": "Select a region"})
    document = forms.FileField(label="Upload a file", required=False)
    password = forms.CharField(label="Password", widget=forms.PasswordInput, required=False)


ExampleForm.base_fields["story"].max_words = 5

VALID = {
    "name": "Kent Support Trust",
    "email": "office@example.org",
    "summary": "We help people find homes.",
    "story": "Started in 1990",
    "colour": "blue",
    "needs": ["accommodation", "family"],
    "start-day": "3",
    "start-month": "4",
    "start-year": "2027",
    "region": "K",
    "password": "a secret phrase",
}


def submitted(**changes) -> ExampleForm:
    data = {**VALID, **changes}
    data = {key: value for key, value in data.items() if value is not None}
    form = ExampleForm(data=data)
    form.is_valid()
    return form


# --- Each component ------------------------------------------------------------------------


def test_valid_submission_cleans_every_field():
    form = submitted()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == datetime.date(2027, 4, 3)
    assert form.cleaned_data["needs"] == ["accommodation", "family"]


def test_text_input_renders_govuk_input_with_label():
    html = render_field(ExampleForm(initial={"name": "Kent Support Trust"}), "name")
    field = html.one("input", id="name")
    assert field.attrs["name"] == "name"
    assert field.attrs["type"] == "text"
    assert field.attrs["value"] == "Kent Support Trust"
    assert field.classes == {"govuk-input"}
    # GOV.UK limits are shown by the character count or errors, never by maxlength.
    assert "maxlength" not in field.attrs
    assert html.one("label", cls="govuk-label", **{"for": "name"}).text.strip() == "Organisation name"
    assert html.one("div", cls="govuk-form-group").classes == {"govuk-form-group"}


def test_email_input_has_email_type_and_no_spellcheck():
    html = render_field(ExampleForm(), "email")
    field = html.one("input", id="email")
    assert field.attrs["type"] == "email"
    assert field.attrs["spellcheck"] == "false"
    assert "govuk-input" in field.classes


def test_textarea_with_max_length_is_a_character_count():
    html = render_field(ExampleForm(), "summary")
    group = html.one("div", cls="govuk-character-count")
    assert group.attrs["data-module"] == "govuk-character-count"
    assert group.attrs["data-maxlength"] == "50"
    assert "data-maxwords" not in group.attrs
    textarea = html.one("textarea", id="summary")
    assert {"govuk-textarea", "govuk-js-character-count"} <= textarea.classes
    assert "maxlength" not in textarea.attrs
    assert html.one(id="summary-info").text.strip() == "You can enter up to 50 characters"


def test_textarea_with_max_words_is_a_word_count():
    html = render_field(ExampleForm(), "story")
    group = html.one("div", cls="govuk-character-count")
    assert group.attrs["data-maxwords"] == "5"
    assert "data-maxlength" not in group.attrs
    assert html.one(id="story-info").text.strip() == "You can enter up to 5 words"


def test_plain_textarea_without_limit():
    class Plain(GovukForm):
        notes = forms.CharField(label="Notes", widget=forms.Textarea)

    html = render_field(Plain(), "notes")
    assert html.one("textarea", id="notes").classes == {"govuk-textarea"}
    assert not html.find_all(cls="govuk-character-count")


def test_radios_have_the_field_name_and_govuk_ids():
    html = render_field(ExampleForm(initial={"colour": "blue"}), "colour")
    radios = html.find_all("input", cls="govuk-radios__input")
    assert [r.attrs["id"] for r in radios] == ["colour", "colour-2", "colour-3"]
    assert {r.attrs["name"] for r in radios} == {"colour"}
    assert {r.attrs["type"] for r in radios} == {"radio"}
    assert [r.attrs["value"] for r in radios] == ["red", "blue", "green"]
    assert [("checked" in r.attrs) for r in radios] == [False, True, False]
    assert html.one("legend").text.strip() == "Colour"
    assert html.one("div", cls="govuk-radios").attrs["data-module"] == "govuk-radios"


def test_checkboxes_have_the_field_name_and_govuk_ids():
    html = render_field(ExampleForm(), "needs")
    boxes = html.find_all("input", cls="govuk-checkboxes__input")
    assert [b.attrs["id"] for b in boxes] == ["needs", "needs-2", "needs-3"]
    assert {b.attrs["name"] for b in boxes} == {"needs"}
    assert {b.attrs["type"] for b in boxes} == {"checkbox"}
    assert html.one("label", **{"for": "needs-2"}).text.strip() == "Education, Training and Employment"


def test_date_input_has_day_month_and_year():
    html = render_field(ExampleForm(initial={"start": datetime.date(2027, 4, 3)}), "start")
    fieldset = html.one("fieldset")
    assert fieldset.attrs["role"] == "group"
    assert html.one("legend").text.strip() == "When will you start?"
    inputs = html.find_all("input", cls="govuk-date-input__input")
    assert [(i.attrs["name"], i.attrs["id"], i.attrs["value"]) for i in inputs] == [
        ("start-day", "start-day", "3"),
        ("start-month", "start-month", "4"),
        ("start-year", "start-year", "2027"),
    ]
    assert [i.attrs["inputmode"] for i in inputs] == ["numeric"] * 3
    assert "govuk-input--width-4" in inputs[2].classes


def test_select_marks_the_chosen_option():
    html = render_field(ExampleForm(initial={"region": "K"}), "region")
    select = html.one("select", id="region")
    assert select.attrs["name"] == "region"
    assert "govuk-select" in select.classes
    options = html.find_all("option")
    assert [o.attrs["value"] for o in options] == ["", "A", "K"]
    assert [("selected" in o.attrs) for o in options] == [False, False, True]


def test_file_upload():
    html = render_field(ExampleForm(), "document")
    field = html.one("input", id="document")
    assert field.attrs["type"] == "file"
    assert field.attrs["name"] == "document"
    assert "govuk-file-upload" in field.classes


def test_password_input_is_never_filled_back_in():
    form = submitted(name="")  # refused: something else is wrong
    assert not form.is_valid()
    html = render_field(form, "password")
    field = html.one("input", id="password")
    assert field.attrs["type"] == "password"
    assert "govuk-password-input__input" in field.classes
    assert field.attrs["autocomplete"] == "current-password"
    assert "value" not in field.attrs
    assert "a secret phrase" not in html.markup


# --- Errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "changes", "message", "error_input_id"),
    [
        ("name", {"name": ""}, "Enter a name", "name"),
        ("email", {"email": "not an address"}, "Enter an email address in the right format", "email"),
        ("summary", {"summary": ""}, "Enter a summary", "summary"),
        ("colour", {"colour": None}, "Select a colour", "colour"),
        ("needs", {"needs": None}, "Select at least one type of support", "needs"),
        ("region", {"region": ""}, "Select a region", "region"),
        ("start", {"start-day": "", "start-month": "", "start-year": ""}, "Enter the start date", "start-day"),
    ],
)
def test_an_invalid_field_shows_its_govuk_error(name, changes, message, error_input_id):
    form = submitted(**changes)
    assert list(form.errors) == [name]
    html = render_field(form, name)
    group = html.find_all("div", cls="govuk-form-group")[0]
    assert "govuk-form-group--error" in group.classes
    error = html.one("p", cls="govuk-error-message")
    assert error.attrs["id"] == f"{name}-error"
    assert " ".join(error.text.split()) == f"Error: {message}"
    # The error summary link moves focus to the first input of the field.
    assert html.one(id=error_input_id).tag in {"input", "textarea", "select"}
    assert error_summary_items(form) == [{"text": message, "href": f"#{error_input_id}"}]
    assert field_id(form[name]) == error_input_id


def test_an_invalid_text_input_is_marked_in_error_and_described_by_the_error():
    html = render_field(submitted(name=""), "name")
    field = html.one("input", id="name")
    assert "govuk-input--error" in field.classes
    assert "name-error" in field.attrs["aria-describedby"]


def test_error_summary_lists_every_error_in_form_order_with_links():
    form = submitted(name="", colour=None, **{"start-month": ""})
    html = render("{{ error_summary(form) }}", form=form)
    summary = html.one("div", cls="govuk-error-summary")
    assert summary.attrs["data-module"] == "govuk-error-summary"
    assert "There is a problem" in html.one("h2").text
    links = [(a.attrs["href"], a.text.strip()) for a in html.find_all("a")]
    assert links == [
        ("#name", "Enter a name"),
        ("#colour", "Select a colour"),
        ("#start-month", "Start date must include a month"),
    ]


def test_no_error_summary_for_an_unsubmitted_or_valid_form():
    assert render("{{ error_summary(form) }}", form=ExampleForm()).markup == ""
    assert render("{{ error_summary(form) }}", form=submitted()).markup == ""


def test_non_field_errors_appear_in_the_summary():
    class Pair(GovukForm):
        first = forms.CharField(label="First", required=False)

        def clean(self):
            raise forms.ValidationError("Give at least one answer")

    form = Pair(data={})
    assert error_summary_items(form) == [{"text": "Give at least one answer", "href": "#main-content"}]


def test_character_count_errors_use_govuk_wording():
    form = submitted(summary="x" * 51, story="one two three four five six")
    assert form.errors["summary"] == ["Summary must be 50 characters or fewer"]
    assert form.errors["story"] == ["Your story must be 5 words or fewer"]
    html = render_field(form, "story")
    assert "govuk-form-group--error" in html.one("div", cls="govuk-character-count").classes
    assert "govuk-textarea--error" in html.one("textarea", id="story").classes


def test_word_and_character_limits_count_as_the_page_does():
    # Exactly at the limits: accepted. Line breaks arrive as CR LF but count once, as on screen.
    form = submitted(summary=("x" * 24) + "\r\n" + ("y" * 25), story="one two\r\nthree  four five")
    assert form.is_valid(), form.errors


# --- Refused submits keep what was typed ------------------------------------------------------


def test_values_are_kept_after_a_refused_submit():
    form = submitted(
        name="",
        email="office@example",
        summary="Homes\nand jobs",
        colour="green",
        needs=["ete", "family"],
        region="A",
        **{"start-day": "31", "start-month": "2", "start-year": "2027"},
    )
    assert set(form.errors) == {"name", "email", "start"}
    html = render("{{ govuk_fields(form) }}", form=form)
    assert html.one("input", id="email").attrs["value"] == "office@example"
    assert html.one("textarea", id="summary").text == "Homes\nand jobs"
    assert [
        b.attrs["value"] for b in html.find_all("input", cls="govuk-checkboxes__input") if "checked" in b.attrs
    ] == [
        "ete",
        "family",
    ]
    assert [r.attrs["value"] for r in html.find_all("input", cls="govuk-radios__input") if "checked" in r.attrs] == [
        "green"
    ]
    assert [o.attrs["value"] for o in html.find_all("option") if "selected" in o.attrs] == ["A"]
    assert [i.attrs["value"] for i in html.find_all("input", cls="govuk-date-input__input")] == ["31", "2", "2027"]
    assert "value" not in html.one("input", id="password").attrs


def test_html_in_a_value_is_escaped():
    form = submitted(name='<script>alert("x")</script>', summary="<b>bold</b>", email="")
    html = render("{{ govuk_fields(form) }}", form=form)
    assert "<script>" not in html.markup
    assert "<b>bold</b>" not in html.markup
    assert "&lt;script&gt;" in html.markup
    assert html.one("input", id="name").attrs["value"] == '<script>alert("x")</script>'
    assert html.one("textarea", id="summary").text == "<b>bold</b>"


def test_html_in_an_error_message_is_escaped():
    class Shouting(GovukForm):
        code = forms.CharField(label="Code")

        def clean_code(self):
            raise forms.ValidationError("<em>Not</em> allowed")

    html = render("{{ error_summary(form) }}{{ govuk_field(form['code']) }}", form=Shouting(data={"code": "x"}))
    assert "<em>" not in html.markup
    assert html.markup.count("&lt;em&gt;Not&lt;/em&gt; allowed") == 2


# --- Date field --------------------------------------------------------------------------------


def date_errors(day: str, month: str, year: str) -> tuple[list[str], list[str], str]:
    """The error, which parts are highlighted and where the summary link goes."""
    form = submitted(**{"start-day": day, "start-month": month, "start-year": year})
    html = render_field(form, "start")
    highlighted = [
        i.attrs["name"].removeprefix("start-")
        for i in html.find_all("input", cls="govuk-date-input__input")
        if "govuk-input--error" in i.classes
    ]
    links = error_summary_items(form)
    return form.errors.get("start", []), highlighted, links[0]["href"] if links else ""


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "highlighted", "href"),
    [
        ("", "", "", "Enter the start date", ["day", "month", "year"], "#start-day"),
        ("", "4", "2027", "Start date must include a day", ["day"], "#start-day"),
        ("3", "", "2027", "Start date must include a month", ["month"], "#start-month"),
        ("3", "4", "", "Start date must include a year", ["year"], "#start-year"),
        ("3", "", "", "Start date must include a month and year", ["month", "year"], "#start-month"),
        ("", "", "2027", "Start date must include a day and month", ["day", "month"], "#start-day"),
        ("31", "2", "2027", "Start date must be a real date", ["day", "month", "year"], "#start-day"),
        ("29", "2", "2027", "Start date must be a real date", ["day", "month", "year"], "#start-day"),
        ("3", "13", "2027", "Start date must be a real date", ["day", "month", "year"], "#start-day"),
        ("x", "4", "2027", "Start date must be a real date", ["day", "month", "year"], "#start-day"),
        ("-1", "4", "2027", "Start date must be a real date", ["day", "month", "year"], "#start-day"),
        ("3", "4", "27", "Year must include 4 numbers", ["year"], "#start-year"),
        ("3", "4", "202", "Year must include 4 numbers", ["year"], "#start-year"),
    ],
)
def test_date_errors_follow_the_govuk_pattern(day, month, year, message, highlighted, href):
    assert date_errors(day, month, year) == ([message], highlighted, href)


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("29", "2", "2028", datetime.date(2028, 2, 29)),
        (" 03 ", "04", "2027", datetime.date(2027, 4, 3)),
        ("3", "April", "2027", datetime.date(2027, 4, 3)),
        ("3", "apr", "2027", datetime.date(2027, 4, 3)),
        ("30", "Sept", "2027", datetime.date(2027, 9, 30)),
    ],
)
def test_date_accepts_what_people_type(day, month, year, expected):
    form = submitted(**{"start-day": day, "start-month": month, "start-year": year})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == expected


def test_optional_date_left_empty_is_none_and_custom_required_message_is_kept():
    class Dates(GovukForm):
        ends = GovukDateField(label="End date", label_text="end date", required=False)
        starts = GovukDateField(label="Start", error_messages={"required": "Enter the date you will start"})

    form = Dates(data={"ends-day": "", "ends-month": "", "ends-year": ""})
    assert not form.is_valid()
    assert form.errors == {"starts": ["Enter the date you will start"]}
    assert form.cleaned_data["ends"] is None


def test_date_label_keeps_its_capitals():
    class Check(GovukForm):
        checked = GovukDateField(label="DBS check", label_text="DBS check date")

    form = Check(data={"checked-day": "1", "checked-month": "", "checked-year": "2027"})
    assert form.errors["checked"] == ["DBS check date must include a month"]


def test_page_heading_field_label_is_the_page_heading():
    class OneQuestion(GovukForm):
        page_heading_field = "email"
        email = forms.EmailField(label="What is your email address?")

    html = render_field(OneQuestion(), "email")
    assert html.one("h1", cls="govuk-label-wrapper")
    assert "govuk-label--l" in html.one("label").classes


# --- Labels a form sets as it is made --------------------------------------------------------


class _LabelledLater(GovukForm):
    """As the bid answer form does: the label (the question) and the limit come from the instance."""

    text = forms.CharField(label="Text", widget=forms.Textarea, max_length=40)

    def __init__(self, *args, question: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = question


def test_a_label_set_in_the_forms_init_is_the_one_shown():
    html = render_field(_LabelledLater(question="How will you find people homes?"), "text")
    assert html.one("label", **{"for": "text"}).text.strip() == "How will you find people homes?"
    assert "Text" not in html.one("label", **{"for": "text"}).text


def test_a_label_set_in_the_forms_init_names_the_field_in_its_errors():
    form = _LabelledLater(data={"text": "x" * 41}, question="How will you find people homes?")
    assert not form.is_valid()
    assert form.errors["text"] == ["How will you find people homes? must be 40 characters or fewer"]
    html = render_field(form, "text")
    assert html.one("label", **{"for": "text"}).text.strip() == "How will you find people homes?"


def test_the_micro_charitys_accounts_upload_says_it_is_optional():
    from qualification.forms import FinanceForm

    html = render_field(FinanceForm(micro=True), "accounts")
    assert html.one("label", **{"for": "accounts"}).text.strip() == "Upload your latest accounts (optional)"
    html = render_field(FinanceForm(micro=False), "accounts")
    assert html.one("label", **{"for": "accounts"}).text.strip() == "Upload your latest accounts"
