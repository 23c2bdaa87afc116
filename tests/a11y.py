"""Checks of every page a browser test visits: axe-core (zero violations), and the words a person
reads (no markup shown as text; a title that starts with the page's <h1>)."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def axe_violations(page) -> list[dict]:
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return results.response["violations"]


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) on {url}:"]
    for v in violations:
        targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} at {targets}")
    return "\n".join(lines)


# --- What a person reads: no markup shown as text, and a title that names the page -------------

# A tag or an entity that reached the screen as text, because markup was escaped once too often
# (`Remove<span class="govuk-visually-hidden">`, `&lt;`, `&amp;lt;`). A "<" is only flagged when a
# tag name follows it and then a space, "/" or ">", so "<5 people", "a < b" and "<jo@example.com>"
# are not; an entity only when it is a whole one ("Kent & Medway" is not).
ESCAPED_MARKUP = re.compile(
    r"</?[A-Za-z][A-Za-z0-9-]*(?=[\s/>])|&(?:[A-Za-z][A-Za-z0-9]{1,30}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});"
)
ERROR_PREFIX = "Error: "
# The separator layout.html puts between the page's own title and the service's name.
TITLE_SEPARATOR = " – "


_PAGE_FACTS = """() => {
  const h1s = Array.from(document.querySelectorAll("h1")).map((h1) => {
    const copy = h1.cloneNode(true);
    copy.querySelectorAll("[class*='govuk-caption']").forEach((caption) => caption.remove());
    return copy.textContent;
  });
  return {
    text: document.body.innerText,
    title: document.title,
    h1s: h1s,
    has_errors: document.querySelector(".govuk-error-summary") !== null,
  };
}"""


def _squash(text: str) -> str:
    return " ".join(text.split())


def page_text_problems(*, text: str, title: str, h1s: list[str], has_errors: bool) -> dict[str, str]:
    """What is wrong with the words on a page, by kind ("escaped markup", "title"); empty when nothing is.

    The title must be the text of the page's one <h1> (without its caption), then " – " and the rest
    (or nothing); with "Error: " in front exactly when the page shows an error summary. A page
    without an <h1>, or with more than one, fails: every page of the service names itself once.
    """
    problems: dict[str, str] = {}
    shown = [match.group(0) for match in ESCAPED_MARKUP.finditer(text + "\n" + title)]
    if shown:
        problems["escaped markup"] = f"markup shown as text: {sorted(set(shown))}"
    title = _squash(title)
    if len(h1s) != 1:
        problems["title"] = f"the page must have one <h1>, it has {len(h1s)}"
        return problems
    heading = _squash(h1s[0])
    if not heading:
        problems["title"] = "the <h1> is empty"
        return problems
    if has_errors != title.startswith(ERROR_PREFIX):
        problems["title"] = (
            f"the title must start with {ERROR_PREFIX!r} when the page shows an error summary, and only then: {title!r}"
        )
        return problems
    own = title.removeprefix(ERROR_PREFIX)
    if not (own == heading or own.startswith(heading + TITLE_SEPARATOR)):
        problems["title"] = f"the title {title!r} does not start with the <h1> {heading!r}"
    return problems


def text_problems(page) -> list[str]:
    """The problems of the page now in the browser."""
    return list(page_text_problems(**page.evaluate(_PAGE_FACTS)).values())
