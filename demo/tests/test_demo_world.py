import pytest
from django.core.management import call_command

from accounts.models import Membership, Organisation, Role, StaffRole, User
from audit.selectors import first_chain_problem
from demo.world import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_demo_world_is_idempotent_and_prints_sign_in_details(capsys):
    call_command("load_demo_world", "--force")
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count(), StaffRole.objects.count())
    call_command("load_demo_world", "--force")
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        StaffRole.objects.count(),
    )
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "assessor@demo.example" in out
    # A two-person charity, a social enterprise and a national company, each with an administrator.
    charity = Organisation.objects.get(legal_name="Medway Women's Support")
    assert charity.memberships.count() == 2 and charity.size == "micro" and charity.is_vcse
    assert Organisation.objects.get(trading_name="Pathway").size == "large"
    assert StaffRole.objects.filter(role=Role.COMMISSIONER, area__code="K").exists()
    assert User.objects.get(email="jo@medway-womens.example").check_password(DEMO_PASSWORD)
    assert first_chain_problem() is None


def test_demo_world_refuses_without_debug_unless_forced(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_world")
