"""One definition of order types (issue 12): a referral keeps the precise order the person is under
(`SupervisionOrder`), `ORDER_KIND` names the kind a contract takes (`contracts.models.OrderType`),
and a draft or a send is refused, with a plain message, when the contract does not take that kind
(`contracts.rules.order_taken`, the part of `person_admitted` about orders)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contracts.models import Contract, OrderType
from contracts.rules import order_taken, person_admitted
from referrals import services
from referrals.models import ORDER_KIND, Referral, SupervisionOrder
from referrals.tests.factories import complete_draft, referral_world

pytestmark = pytest.mark.django_db

COMMUNITY_ONLY = {"for_community_orders": True, "for_licences": False}
LICENCE_ONLY = {"for_community_orders": False, "for_licences": True}
BOTH = {"for_community_orders": True, "for_licences": True}
NOT_ON_LICENCE = "This service is only for people on a community order"
NOT_IN_COMMUNITY = "This service is only for people on licence after prison"


@pytest.fixture
def world():
    return referral_world()


def test_every_order_has_one_kind():
    assert set(ORDER_KIND) == set(SupervisionOrder)
    assert set(ORDER_KIND.values()) == set(OrderType)
    assert ORDER_KIND[SupervisionOrder.SUSPENDED_SENTENCE] == OrderType.COMMUNITY_ORDER
    assert ORDER_KIND[SupervisionOrder.POST_SENTENCE_SUPERVISION] == OrderType.LICENCE


def test_order_taken_is_the_order_part_of_person_admitted():
    for kind in OrderType:
        part = order_taken(kind).q().children
        whole = person_admitted(age=30, sex="male", order_type=kind, pre_release=False).q().children
        assert part and all(condition in whole for condition in part)
    with pytest.raises(ValueError, match="OrderType"):
        order_taken("suspended_sentence")  # a referral's order, not a kind: ORDER_KIND first


@pytest.mark.parametrize(
    ("takes", "order", "problem"),
    [
        (COMMUNITY_ONLY, SupervisionOrder.COMMUNITY_ORDER, None),
        (COMMUNITY_ONLY, SupervisionOrder.SUSPENDED_SENTENCE, None),
        (COMMUNITY_ONLY, SupervisionOrder.LICENCE, NOT_ON_LICENCE),
        (COMMUNITY_ONLY, SupervisionOrder.POST_SENTENCE_SUPERVISION, NOT_ON_LICENCE),
        (LICENCE_ONLY, SupervisionOrder.COMMUNITY_ORDER, NOT_IN_COMMUNITY),
        (LICENCE_ONLY, SupervisionOrder.SUSPENDED_SENTENCE, NOT_IN_COMMUNITY),
        (LICENCE_ONLY, SupervisionOrder.LICENCE, None),
        (LICENCE_ONLY, SupervisionOrder.POST_SENTENCE_SUPERVISION, None),
        (BOTH, SupervisionOrder.SUSPENDED_SENTENCE, None),
        (BOTH, SupervisionOrder.POST_SENTENCE_SUPERVISION, None),
    ],
)
def test_the_draft_keeps_only_an_order_the_contract_takes(world, takes, order, problem):
    draft = complete_draft(world)  # a community order
    Contract.objects.filter(pk=world["contract"].pk).update(**takes)
    draft.contract.refresh_from_db()
    save = lambda: services.referral_update(actor=world["practitioner"], referral=draft, order_type=order)  # noqa: E731
    if problem is None:
        save()
        assert Referral.objects.get(pk=draft.pk).order_type == order
        return
    with pytest.raises(ValidationError) as error:
        save()
    assert error.value.message_dict["order_type"][0].startswith(problem)
    assert Referral.objects.get(pk=draft.pk).order_type == SupervisionOrder.COMMUNITY_ORDER


def test_send_refused_when_the_contract_stopped_taking_the_order(world):
    draft = complete_draft(world)  # a community order, saved while the contract took it
    Contract.objects.filter(pk=world["contract"].pk).update(**LICENCE_ONLY)
    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=world["practitioner"], referral=draft)
    assert error.value.message_dict["order_type"][0].startswith(NOT_IN_COMMUNITY)
    assert Referral.objects.get(pk=draft.pk).sent_at is None
    Contract.objects.filter(pk=world["contract"].pk).update(**BOTH)
    assert services.referral_send(actor=world["practitioner"], referral=draft).sent_at is not None


def test_the_order_page_says_why_in_a_govuk_error(client, world):
    draft = complete_draft(world)
    Contract.objects.filter(pk=world["contract"].pk).update(**COMMUNITY_ONLY)
    client.force_login(world["practitioner"])
    end = timezone.localdate() + datetime.timedelta(days=100)
    response = client.post(
        reverse("referrals:order", args=[draft.pk]),
        {
            "order_type": SupervisionOrder.POST_SENTENCE_SUPERVISION,
            "order_end_on-day": end.day,
            "order_end_on-month": end.month,
            "order_end_on-year": end.year,
            "max_rar_days": 10,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page and NOT_ON_LICENCE in page
    assert Referral.objects.get(pk=draft.pk).order_type == SupervisionOrder.COMMUNITY_ORDER
