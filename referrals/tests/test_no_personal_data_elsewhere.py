"""Asked as every other kind of person, no page of the service shows a referred person's name, date
of birth or case reference number: not the referral's pages (not found), not the contract's pages,
the registers, insights, open data or the audit history pages (issue 12)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import Role
from referrals.tests.factories import CRN, PERSON, delivered_referral, referral_world
from tests.factories import make_user_with_role

pytestmark = pytest.mark.django_db

SECRETS = (CRN, PERSON["first_name"], PERSON["last_name"], "1 April 1990", "1990-04-01", PERSON["email"])


def test_nobody_else_sees_the_person_anywhere(client):
    world = referral_world()
    referral = delivered_referral(world)
    contract = world["contract"]
    others = {
        "member not assigned": world["partner_caseworker"],
        "other region's practitioner": world["elsewhere"],
        **{
            str(role): make_user_with_role(role)
            for role in (Role.COMMISSIONER, Role.ASSESSOR, Role.EVALUATOR, Role.ADMINISTRATOR)
        },
        "anonymous": AnonymousUser(),
    }
    pages = [
        reverse("referrals:detail", args=[referral.pk]),
        reverse("referrals:list"),
        reverse("contracts:register"),
        reverse("contracts:detail", args=[contract.pk]),
        reverse("publicdata:opportunities"),
        reverse("insights:index"),
        "/public/contracts/",
        "/api/v1/ocds/releases",
        reverse("audit:history", args=["referrals.referral", str(referral.pk)]),
    ]
    for who, user in others.items():
        client.logout()
        if user.is_authenticated:
            client.force_login(user)
            session = client.session
            session["otp_device_id"] = None
            session.save()
        for path in pages:
            response = client.get(path, follow=True)
            text = response.content.decode(errors="replace")
            for secret in SECRETS:
                assert secret not in text, f"{who} saw {secret!r} on {path}"
    # ...while the practitioner who sent it does see them.
    client.force_login(world["practitioner"])
    text = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert CRN in text and PERSON["last_name"] in text
