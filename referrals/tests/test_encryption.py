"""Personal data at rest (ADR 12): a dump shows no name or CRN; keys rotate; the CRN is found by its keyed hash."""

import pytest
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from audit.models import AuditEvent
from core.sealing import new_key
from referrals import selectors, services
from referrals.models import DeliverySession, Referral
from referrals.sealing import PERSONAL, PersonalDataUnreadable, crn_digest
from referrals.tests.factories import CRN, PERSON, delivered_referral, referral_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return referral_world()


def raw_rows(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return repr(cursor.fetchall())


def test_a_raw_read_of_the_tables_shows_no_name_crn_or_notes(world):
    referral = delivered_referral(world)
    dump = raw_rows("referrals_referral") + raw_rows("referrals_deliverysession") + raw_rows("referrals_planactivity")
    for secret in (
        CRN,
        CRN.lower(),
        PERSON["first_name"],
        PERSON["last_name"],
        "1990-04-01",
        PERSON["email"],
        "housing options",
    ):
        assert secret not in dump
    # ...while the service reads them back.
    referral = Referral.objects.get(pk=referral.pk)
    assert (referral.crn, referral.first_name, referral.date_of_birth.isoformat()) == (CRN, "Alexandra", "1990-04-01")
    assert DeliverySession.objects.get(referral=referral).notes == "Talked about housing options"


def test_no_audit_event_holds_personal_data(world):
    delivered_referral(world)
    trail = repr(list(AuditEvent.objects.values_list("object_repr", "before", "after")))
    for secret in (
        CRN,
        PERSON["first_name"],
        PERSON["last_name"],
        "1990-04-01",
        "housing options",
        "missed appointments",
    ):
        assert secret not in trail


def test_sealed_fields_cannot_be_filtered_in_sql():
    with pytest.raises(FieldError):
        Referral.objects.filter(last_name="Quistwhistle").exists()


def test_found_by_crn_through_the_keyed_hash(world):
    referral = delivered_referral(world)
    assert referral.crn_digest == crn_digest(CRN) and CRN not in referral.crn_digest
    assert [r.pk for r in selectors.find_by_crn(user=world["practitioner"], crn=" x123456 ")] == [referral.pk]
    assert selectors.find_by_crn(user=world["elsewhere"], crn=CRN) == []
    assert selectors.find_by_crn(user=world["practitioner"], crn="nonsense") == []
    with override_settings(PERSONAL_DATA_HASH_KEY="another key entirely, at least 32 characters"):
        assert crn_digest(CRN) != referral.crn_digest  # keyed: the hash is nothing without the key


def test_rotation_moves_every_value_to_the_new_key_and_hashes_again(world):
    referral = delivered_referral(world)
    old = list(PERSONAL.keys())
    new = new_key()
    with override_settings(
        PERSONAL_DATA_KEYS=[new, *old], PERSONAL_DATA_HASH_KEY="a new hash key of 32 characters or more"
    ):
        call_command("reencrypt_personal_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert AuditEvent.objects.filter(action="referrals.reencrypted").count() == 1
        again = Referral.objects.get(pk=referral.pk)
        assert again.crn_digest == crn_digest(CRN)
    # Under the new key alone, everything still reads.
    with override_settings(PERSONAL_DATA_KEYS=[new]):
        assert Referral.objects.get(pk=referral.pk).last_name == "Quistwhistle"
        assert DeliverySession.objects.get(referral=referral).notes == "Talked about housing options"
    # Under the old key alone, nothing does.
    with override_settings(PERSONAL_DATA_KEYS=old), pytest.raises(PersonalDataUnreadable):
        Referral.objects.get(pk=referral.pk)


def test_bid_keys_do_not_open_personal_data(world, settings):
    referral = delivered_referral(world)
    with (
        override_settings(PERSONAL_DATA_KEYS=list(settings.BID_ENCRYPTION_KEYS)),
        pytest.raises(PersonalDataUnreadable),
    ):
        Referral.objects.get(pk=referral.pk)


def test_the_reencrypt_service_is_audited_without_values(world):
    delivered_referral(world)
    counts = services.personal_data_reencrypt()
    assert counts["values"] == 0 and counts["current"] > 0  # already under the newest key
    event = AuditEvent.objects.get(action="referrals.reencrypted")
    assert set(event.after) == {"values", "current", "hashes"}


def test_a_page_whose_personal_data_does_not_decrypt_is_a_plain_503(world, client):
    referral = delivered_referral(world)
    client.force_login(world["practitioner"])
    with override_settings(PERSONAL_DATA_KEYS=[new_key()]):
        response = client.get(f"/referrals/{referral.pk}/")
    assert response.status_code == 503
    text = response.content.decode()
    assert "Sorry, this referral cannot be shown" in text and "Traceback" not in text
