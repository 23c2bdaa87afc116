"""The check every browser test runs on every page (tests/a11y.py): it must catch markup shown as
text and a title that does not name the page, and let ordinary text through (issue 8.14)."""

from __future__ import annotations

import pytest

from tests.a11y import page_text_problems, text_problems

TITLE = "Choose evaluators – Commission probation services – GOV.UK"


def problems(text="Choose evaluators\nSome text", title=TITLE, h1s=("Choose evaluators",), has_errors=False):
    return page_text_problems(text=text, title=title, h1s=list(h1s), has_errors=has_errors)


def test_a_good_page_has_no_problems():
    assert problems() == {}
    assert problems(title="Choose evaluators") == {}
    assert problems(title="Error: " + TITLE, has_errors=True) == {}
    # Whitespace inside the heading does not matter.
    assert problems(h1s=["\n  Choose\n   evaluators "]) == {}


@pytest.mark.parametrize(
    "text",
    [
        'Remove<span class="govuk-visually-hidden"> Grace Lee</span>',
        "Remove</span>",
        "Line one<br>Line two",
        "Line one<br/>Line two",
        "<p>A paragraph</p>",
        "Remove&lt;span&gt; Grace Lee",
        "Remove&amp;lt;span&amp;gt;",
        "Tom &amp; Jerry",
        "It&#39;s ours",
        "It&#x27;s ours",
        "Fish&nbsp;and chips",
        '<a href="/x">link</a>',
    ],
)
def test_markup_shown_as_text_is_caught(text):
    assert "escaped markup" in problems(text="Choose evaluators\n" + text)


def test_markup_in_the_title_is_caught():
    assert "escaped markup" in problems(title="Choose &amp; evaluators – Commission probation services – GOV.UK")


@pytest.mark.parametrize(
    "text",
    [
        "Kent & Medway",
        "Fewer than <5 people",
        "a < b and c > d",
        "Write to <jo@example.com>",
        "Value 3<4",
        "R&D; costs",
        "Question 2 of 5 -> next",
        "Score: 3/5 <",
    ],
)
def test_ordinary_text_is_not_taken_for_markup(text):
    assert problems(text="Choose evaluators\n" + text) == {}


@pytest.mark.parametrize(
    ("title", "h1s", "has_errors"),
    [
        ("Housing in Kent – Commission probation services – GOV.UK", ["Add a question"], False),
        ("Choose evaluators and more – Commission probation services – GOV.UK", ["Choose evaluators"], False),
        ("Choose – Commission probation services – GOV.UK", ["Choose evaluators"], False),
        ("Error: " + TITLE, ["Choose evaluators"], False),  # "Error: " without an error on the page
        (TITLE, ["Choose evaluators"], True),  # an error on the page, no "Error: "
        (TITLE, [], False),  # no <h1>
        (TITLE, ["Choose evaluators", "Choose evaluators"], False),  # two
        (TITLE, ["   "], False),  # an empty one
    ],
)
def test_a_title_that_does_not_name_the_page_is_caught(title, h1s, has_errors):
    assert "title" in problems(title=title, h1s=h1s, has_errors=has_errors)


def test_the_caption_inside_a_heading_is_not_part_of_the_title(page):
    page.set_content(
        "<html><head><title>Score bids – Commission probation services – GOV.UK</title></head><body>"
        '<h1 class="govuk-heading-l"><span class="govuk-caption-l">Housing in Kent</span>Score bids</h1>'
        "<p>Kent &amp; Medway, fewer than &lt;5 people</p></body></html>"
    )
    assert text_problems(page) == []


def test_a_deliberately_broken_page_fails_in_the_browser(page):
    page.set_content(
        "<html><head><title>Housing in Kent – Commission probation services – GOV.UK</title></head><body>"
        "<h1>Add a question</h1>"
        '<button>Remove&lt;span class="govuk-visually-hidden"&gt; Grace Lee&lt;/span&gt;</button>'
        "</body></html>"
    )
    found = text_problems(page)
    assert len(found) == 2
    assert "<span" in found[0] and "</span" in found[0]
    assert "does not start with the <h1> 'Add a question'" in found[1]
