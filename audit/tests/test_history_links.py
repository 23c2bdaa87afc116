"""Staff reach an object's history from the page where they work on it."""

import pytest
from django.urls import reverse

from competitions.models import CompetitionMember
from competitions.tests.factories import make_competition

pytestmark = pytest.mark.django_db


def test_commissioner_summary_links_to_the_competitions_history(client):
    competition = make_competition(lots=["Kent"], launched=False)
    commissioner = CompetitionMember.objects.get(competition=competition, role="commissioner").user
    client.force_login(commissioner)
    page = client.get(reverse("competitions:manage-detail", args=[competition.pk])).content.decode()
    history = reverse("audit:history", args=["competitions.competition", competition.pk])
    assert history in page
    assert client.get(history).status_code == 200
