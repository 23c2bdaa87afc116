import pytest
from django.core.management import call_command

from accounts.models import Membership, Organisation, Role, StaffRole, User
from audit.models import AuditEvent
from audit.selectors import first_chain_problem
from competitions.models import Bid, Clarification, Competition, Score
from competitions.selectors.status import competition_stage
from contracts.models import Contract
from contracts.selectors import contract_claims, payment_times, terms_in_force
from core.clock import LONDON, db_now
from demo import story
from demo.national import GENERATED_DOMAIN
from demo.world import DEMO_PASSWORD
from qualification.models import Application, HelpRequest, Qualification

pytestmark = pytest.mark.django_db

# A tiny national backdrop keeps the test fast; `make run` uses demo.world.NATIONAL_SCALE.
SMALL = ("--national-scale", "0.01")


def _counts():
    return (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        StaffRole.objects.count(),
        Competition.objects.count(),
        Application.objects.count(),
        Qualification.objects.count(),
        Contract.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_world_builds_the_story_once_and_prints_what_to_look_at(capsys):
    call_command("load_demo_world", "--force", *SMALL)
    counts = _counts()
    call_command("load_demo_world", "--force", *SMALL)
    assert _counts() == counts  # idempotent: nothing added the second time

    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out and "assessor@demo.example" in out
    assert "commissioner2.kss@demo.example" in out and "What to look at" in out
    # A two-person charity, a social enterprise and a national company, each with an administrator.
    charity = Organisation.objects.get(legal_name="Medway Women's Support")
    assert charity.memberships.count() == 2 and charity.size == "micro" and charity.is_vcse
    assert Organisation.objects.get(trading_name="Pathway").size == "large"
    assert (
        StaffRole.objects.filter(role=Role.COMMISSIONER, area__code="K", user__email__endswith="@demo.example").count()
        == 2
    )
    assert User.objects.get(email="jo@medway-womens.example").check_password(DEMO_PASSWORD)
    assert first_chain_problem() is None


def test_demo_story_shows_the_framework_in_motion():
    call_command("load_demo_world", "--force", *SMALL)

    # Competitions in Kent, Surrey and Sussex at every stage, run by the demo commissioner.
    demo_competitions = Competition.objects.filter(created_by__email="commissioner.kss@demo.example")
    stages = {c.title: competition_stage(c) for c in demo_competitions}
    assert stages == {
        story.FIRST_TITLE: "open",
        story.PLANNED_TITLE: "planned",
        story.EVALUATION_TITLE: "evaluation",
        story.STANDSTILL_TITLE: "standstill",
        story.AWARDED_TITLE: "awarded",
    }
    # Made through the services: the audit trail tells the story, and its chain is intact.
    for action in ("qualification.grant", "bid.submitted", "award.approved", "clarification.answered"):
        assert AuditEvent.objects.filter(action=action).exists(), action
    assert first_chain_problem() is None

    # Qualified providers; Second Chances only in part, with a reason in its letter.
    assert set(
        Qualification.objects.filter(organisation__legal_name="Pathway Services Limited").values_list(
            "category__code", "area__code"
        )
    ) == {("accommodation", "K04000001"), ("ete", "K04000001"), ("finance-benefit-debt", "K04000001")}
    second = Application.objects.get(organisation__trading_name="Second Chances")
    assert ("accommodation", "W06000015") in set(
        Qualification.objects.filter(application=second).values_list("category__code", "area__code")
    )
    assert "Cardiff only" in second.decision_letter and "Why:" in second.decision_letter

    # The assessor has work waiting: Brighton Recovery Network, which also asked for help.
    waiting = Application.objects.filter(submitted_at__isnull=False, decided_at__isnull=True)
    assert list(waiting.values_list("organisation__legal_name", flat=True)) == ["Brighton Recovery Network"]
    assert HelpRequest.objects.filter(organisation__legal_name="Brighton Recovery Network").exists()

    # The open competition: a draft bid from Pathway, a question from Medway answered for everyone.
    open_competition = Competition.objects.get(title=story.FIRST_TITLE)
    draft = Bid.objects.get(competition=open_competition)
    assert draft.organisation.trading_name == "Pathway" and draft.submitted_at is None
    assert Clarification.objects.get(competition=open_competition).answered_at is not None
    kent = open_competition.lots.get(name="Kent")
    assert kent.funding.get().co_commissioner.name == "Kent Police and Crime Commissioner"
    assert [y.value for y in kent.years.order_by("financial_year")] == [545000, 1200000, 1700000]

    # Being scored: bidding closed in the past, one evaluator has draft scores only.
    ete = Competition.objects.get(title=story.EVALUATION_TITLE)
    assert ete.bids.get().partners.get().name == "Kent Skills Hub"
    scores = Score.objects.filter(answer__bid__competition=ete)
    assert scores.exists() and not scores.filter(submitted_at__isnull=False).exists()
    assert {s.evaluator.email for s in scores} == {"evaluator@demo.example"}

    # Awarded: contracts for Surrey and Sussex with Pathway.
    contracts = Contract.objects.filter(lot__competition__title=story.AWARDED_TITLE)
    assert sorted(c.lot.name for c in contracts) == ["Surrey", "Sussex"]
    assert {c.supplier.trading_name for c in contracts} == {"Pathway"}
    # After award: Surrey's variation in force, its extension waiting for Pathway, claims paid on
    # time and late, one queried and sent again; Sussex ending early with a claim waiting.
    surrey, sussex = sorted(contracts, key=lambda c: c.lot.name)
    assert terms_in_force(surrey).number == 2 and terms_in_force(surrey).years.get(financial_year=2027).volume == 240
    extension = surrey.versions.get(number=3)
    assert extension.kind == "extension" and extension.approved_at and extension.accepted_at is None
    assert surrey.commissioner_manager.email == "commissioner.kss@demo.example"
    rows = contract_claims(surrey, today=db_now().astimezone(LONDON).date())
    assert any(r["late"] and r["claim"].paid_on for r in rows)
    assert any(not r["late"] and r["claim"].paid_on for r in rows)
    assert any(r["status"] == "Queried" for r in rows)
    assert any(r["claim"].approved_at and not r["claim"].paid_on for r in rows)
    # Pathway's payments to its partner: most within 30 days of Pathway being paid, one late.
    from contracts.selectors_supply_chain import IN_TIME, LATE, supply_chain

    (partner,) = supply_chain(surrey, today=db_now().astimezone(LONDON).date()).partners
    timeliness = [period.timeliness for period in partner.periods]
    assert IN_TIME in timeliness and LATE in timeliness
    assert partner.committed_percent == 15 and partner.delivered_percent
    assert AuditEvent.objects.filter(action="partner_payment.recorded").exists()
    assert sussex.terminates_on is not None
    assert sussex.claims.filter(approved_at__isnull=True, queried_at__isnull=True).exists()
    assert [row for row in payment_times() if row["commissioner"] == surrey.lot.competition.owner_area.name][0][
        "claims_paid"
    ] == 5

    # The national backdrop for the public pages.
    assert Organisation.objects.filter(contact_email__endswith=f"@{GENERATED_DOMAIN}").exists()


def test_demo_world_without_national_backdrop():
    call_command("load_demo_world", "--force", "--national-scale", "0")
    assert not Organisation.objects.filter(contact_email__endswith=f"@{GENERATED_DOMAIN}").exists()
    assert Competition.objects.filter(title=story.FIRST_TITLE).exists()


def test_demo_world_refuses_without_debug_unless_forced(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_world")


@pytest.mark.django_db
def test_demo_staff_have_an_authenticator_app_and_demo_code_gives_a_working_code(client, settings):
    """Issue 9.6: the demo's staff sign in with a code; `manage.py demo_code` prints one (demo only)."""
    from io import StringIO

    from django.core.management import CommandError, call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import StaffRole, User
    from demo.world import DEMO_PASSWORD, _build_people

    _build_people()
    staff = User.objects.filter(pk__in=StaffRole.objects.values("user"))
    assert staff.exists()
    assert all(TOTPDevice.objects.filter(user=user, confirmed=True).exists() for user in staff)

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_code", "assessor@demo.example")
    settings.DEBUG = True
    out = StringIO()
    call_command("demo_code", "assessor@demo.example", stdout=out)
    code = out.getvalue().strip()
    assert len(code) == 6 and code.isdigit()
    client.post("/account/sign-in/", {"email": "assessor@demo.example", "password": DEMO_PASSWORD})
    response = client.post("/account/sign-in/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/account/"
    with pytest.raises(CommandError, match="has not set up"):
        call_command("demo_code", "bids@pathway.example")


def test_the_demo_practitioner_finds_services_told_apart_by_who_they_are_for():
    from contracts.models import OrderType, PersonSex
    from contracts.selectors_find import local_authorities_for, services_for_person
    from reference.models import ServiceCategory

    call_command("load_demo_world", "--force", *SMALL)
    practitioner = User.objects.get(email="practitioner@demo.example")
    guildford = local_authorities_for(practitioner).get(name="Guildford")
    housing = [ServiceCategory.objects.get(code="accommodation")]
    today = db_now().astimezone(LONDON).date()
    surrey = Contract.objects.get(title=f"{story.AWARDED_TITLE}: Surrey")

    def found(**person) -> set[int]:
        asked = {"age": 30, "sex": PersonSex.MALE, "order_type": OrderType.LICENCE, "pre_release": True} | person
        return {
            s.contract.pk for s in services_for_person(local_authority=guildford, categories=housing, on=today, **asked)
        }

    # Surrey takes people on licence, from before release; not people on a community order.
    assert surrey.pk in found()
    assert surrey.pk not in found(order_type=OrderType.COMMUNITY_ORDER)
    assert AuditEvent.objects.filter(action="contract.eligibility_changed").count() == 2


def test_the_demo_practitioner_has_referrals_at_every_stage():
    """Made through the referrals services, so each step is audited on the referral's own chain."""
    from referrals import rules
    from referrals.models import Attendance, DeliverySession, Referral

    call_command("load_demo_world", "--force", *SMALL)
    practitioner = User.objects.get(email="practitioner@demo.example")
    mine = Referral.objects.filter(created_by=practitioner)
    statuses = {referral.status for referral in mine}
    assert statuses == {status for status, _ in rules.STATUS_RULES}
    # A plan waiting for the practitioner's approval, and a missed session they were told of.
    assert mine.filter(rules.status_q(rules.ASSIGNED), action_plans__submitted_at__isnull=False).exists()
    assert DeliverySession.objects.filter(
        referral__in=mine, attendance=Attendance.DID_NOT_ATTEND, tell_practitioner=True
    ).exists()
    completed = mine.get(rules.status_q(rules.COMPLETED))
    assert completed.report.sent_at is not None and completed.report.outcomes.count() == 2
    actions = set(
        AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(completed.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"referral.created", "referral.sent", "referral.plan_approved", "referral.report_sent"} <= actions
    # Invented people only: the Z series of case reference numbers is never issued.
    assert all(referral.crn.startswith("Z9") for referral in mine)
    assert first_chain_problem() is None


def test_every_demo_referral_passes_the_checks_sending_makes():
    """Every referral in the demo world (the practitioner's story and the national backdrop's): made
    while the terms then in force made its contract live, and, where the person's details are still
    held, nothing `referral_send` would refuse on the day it was sent (`send_problems`: the age range,
    the sex and the order the contract takes, every answer given) or a draft's details refused when
    saved; and the person's recorded sex, age and order are admitted together as finding services
    asks (`person_admitted`): no woman sent to Sussex's men-only service."""
    from contracts.models import OrderType, PersonSex
    from contracts.rules import CONTRACT_LIVE, person_admitted
    from contracts.selectors import in_force_versions, terms_at
    from referrals.eligibility import age_on, age_refusal, order_refusal, sex_refusal
    from referrals.models import ORDER_KIND, Referral
    from referrals.services import send_problems

    call_command("load_demo_world", "--force", *SMALL)
    contracts = {contract.pk: contract for contract in Contract.objects.prefetch_related(in_force_versions())}
    referrals = list(Referral.objects.select_related("contract").order_by("pk"))
    story = [r for r in referrals if r.created_by.email == "practitioner@demo.example"]
    assert len(story) == 7 and len(referrals) > len(story)
    for referral in referrals:
        contract = contracts[referral.contract_id]
        moment = referral.sent_at or referral.created_at
        terms = terms_at(contract, moment, in_force=contract.in_force)
        terms.contract = contract
        assert CONTRACT_LIVE.holds(terms, now=moment), referral.pk
        if referral.personal_data_erased_at is not None:
            continue
        day = moment.astimezone(LONDON).date()
        if referral.sent_at is not None:
            assert send_problems(referral, referral.sent_at) == {}, referral.pk
        if referral.date_of_birth is not None:
            assert age_refusal(contract, referral.date_of_birth, day) is None, referral.pk
        if referral.order_type:
            assert order_refusal(contract, referral.order_type) is None, referral.pk
        assert referral.sex in PersonSex.values, referral.pk  # every demo person has a recorded sex
        assert sex_refusal(contract, referral.sex) is None, referral.pk
        if referral.date_of_birth is not None:
            kinds = [ORDER_KIND[referral.order_type]] if referral.order_type else list(OrderType)
            assert any(
                person_admitted(
                    age=age_on(referral.date_of_birth, day),
                    sex=referral.sex,
                    order_type=kind,
                    pre_release=False,
                ).holds(contract)
                for kind in kinds
            ), (referral.pk, contract.title, referral.sex)
