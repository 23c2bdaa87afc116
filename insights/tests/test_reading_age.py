"""Plain English: what each insight page says about how it counts reads at grade 8 or below (Flesch–Kincaid)."""

from __future__ import annotations

import re
from html import unescape

import pytest
import textstat

from insights.tests.world import build_world
from insights.views import INSIGHTS

pytestmark = pytest.mark.django_db

MAX_GRADE = 8


@pytest.mark.parametrize("slug", [insight.slug for insight in INSIGHTS])
def test_how_we_count_reads_at_grade_8_or_below(client, slug):
    build_world(competitions=6, organisations=6)
    html = client.get(f"/insights/{slug}/").content.decode()
    # The explanation sits between the "Showing" line and the first chart; each paragraph, list item
    # and heading is a sentence of its own.
    explanation = html[html.index('id="showing"') : html.index("<figure")]
    explanation = explanation[explanation.index("</p>") + 4 :]
    blocks = re.findall(r"<(p|li|h2|strong)\b[^>]*>(.*?)</\1>", explanation, re.S)
    sentences = [" ".join(unescape(re.sub(r"<[^>]+>", " ", body)).split()) for _, body in blocks]
    text = " ".join(s if s.endswith((".", ":", "?", "!")) else s + "." for s in sentences if s)
    assert textstat.flesch_kincaid_grade(text) <= MAX_GRADE, text
