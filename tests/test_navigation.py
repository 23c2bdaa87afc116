"""The header shows each person the parts of the service they can use, and nothing else."""

import pytest

from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

EXPECTED = {
    "anonymous": {"Join the framework", "Opportunities", "Insights", "Sign in"},
    "provider": {"Your application", "Opportunities for you", "Opportunities", "Insights", "Your account", "Sign out"},
    "provider_admin": {
        "Your application",
        "Opportunities for you",
        "Opportunities",
        "Insights",
        "Your account",
        "Sign out",
    },
    "assessor": {"Applications", "Contracts", "Opportunities", "Insights", "Your account", "Sign out"},
    "commissioner": {"Your opportunities", "Contracts", "Opportunities", "Insights", "Your account", "Sign out"},
    "evaluator": {"Bids to score", "Contracts", "Opportunities", "Insights", "Your account", "Sign out"},
    "practitioner": {
        "Find services",
        "Your referrals",
        "Contracts",
        "Opportunities",
        "Insights",
        "Your account",
        "Sign out",
    },
    "administrator": {"Contracts", "Opportunities", "Insights", "Your account", "Sign out"},
}


@pytest.mark.parametrize("role", ALL_ROLES)
def test_navigation_matches_the_role(client_for_role, role):
    import re

    client, _ = client_for_role(role)
    html = client.get("/help/").content.decode()
    nav = html[html.index('class="govuk-service-navigation__list"') :]
    nav = nav[: nav.index("</ul>")]
    texts = {re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)}
    assert texts == EXPECTED[role]
