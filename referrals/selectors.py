"""Reads of referrals, each scoped by `permissions.readable_q` (ADR 12): what a person may not read
is "not found", exactly as what does not exist. Reading a referral's personal details writes an
audit event (`services.referral_read_record`) — `referral_for_reading` does both."""

from __future__ import annotations

import datetime
import functools
import json
from collections import defaultdict

from django.db import connection
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.http import Http404

from accounts.models import Membership
from contracts.models import Contract
from contracts.selectors import SMALL_NUMBER
from core.clock import LONDON
from core.sealing import SealedField
from referrals import permissions, rules
from referrals.models import (
    ActionPlan,
    Appointment,
    Assignment,
    DeliverySession,
    EndOfServiceReport,
    Referral,
    ReferralCategory,
    ReportOutcome,
)
from referrals.sealing import crn_digest, crn_is_valid, normalise_crn

PAGE_SIZE = 25


def contract_for_referral(contract_id: int) -> Contract:
    """A contract a practitioner may start a referral to (any contract; the service refuses one
    that is not live with a plain message)."""
    contract = Contract.objects.select_related("service_type", "supplier").filter(pk=contract_id).first()
    if contract is None:
        raise Http404
    return contract


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Every referral `user` may read, newest first; no personal field is decrypted until used."""
    return Referral.objects.filter(permissions.readable_q(user)).select_related("contract", "contract__supplier")


# The person's sealed details: a list shows none of them, so it neither reads nor decrypts them.
SEALED_REFERRAL_FIELDS = tuple(f.name for f in Referral._meta.concrete_fields if isinstance(f, SealedField))


@functools.cache
def _status_sql(vendor: str) -> tuple[str, tuple]:
    """`rules.status_expression()` as SQL on the referrals table, compiled once per kind of
    database: resolving its seven conditions again on every list cost more than the list's query
    itself (`make bench`). The same rules, so the same statuses as `status_of`."""
    query = Referral.objects.annotate(listed_status=rules.status_expression()).query
    sql, params = query.get_compiler(connection=connection).compile(query.annotations["listed_status"])
    return sql, tuple(params)


def _listed(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """A list's rows: no personal field loaded, the status worked out in SQL by the same rules
    (on the referrals table itself: lists start from Referral)."""
    sql, params = _status_sql(connection.vendor)
    return queryset.defer(*SEALED_REFERRAL_FIELDS).annotate(
        listed_status=RawSQL(sql, params, output_field=CharField())  # noqa: S611 - compiled from rules, no input
    )


def referrals_made_by(user) -> QuerySet[Referral]:
    """The practitioner's own referrals and drafts, newest first (their "your referrals" list): only
    what the list shows (reference, service, dates, status) is read."""
    return _listed(
        Referral.objects.filter(permissions.made_by_readable_q(user))
        .order_by("-created_at", "-id")
        .select_related("contract")
        .only("id", "reference", "created_at", "sent_at", "contract__id", "contract__title")
    )


def provider_inbox(user) -> QuerySet[Referral]:
    """Sent referrals the person may read as a provider (managers: their organisation's; a
    caseworker: theirs), newest first, with only what the inbox shows: reference, service, dates,
    status, who has it (`prime_id` beside `provider_id` says whether the work is with a partner)."""
    return _listed(
        Referral.objects.filter(permissions.readable_q(user), sent_at__isnull=False)
        .order_by("-sent_at", "-id")
        .select_related("contract", "provider", "caseworker")
        .only(
            "id",
            "reference",
            "sent_at",
            "complete_by",
            "prime",
            "contract__id",
            "contract__title",
            "provider__id",
            "provider__legal_name",
            "caseworker__id",
            "caseworker__full_name",
            "caseworker__email",
        )
    )


def caseworker_candidates(organisation_id: int) -> QuerySet[Membership]:
    """Who may be a referral's caseworker at the organisation doing the work: its members whose
    accounts are active, by name. The one rule: the caseworker page offers these and
    `services.referral_assign` accepts no one else."""
    return (
        Membership.objects.filter(organisation_id=organisation_id, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def referral_detail(*, user, pk: int) -> Referral:
    """One referral `user` may read, or 404 (the same for hidden and missing). Does not audit:
    use `referral_for_reading` on any page that shows personal details."""
    referral = (
        referrals_visible_to(user).select_related("area", "created_by", "provider", "caseworker").filter(pk=pk).first()
    )
    if referral is None:
        raise Http404
    return referral


def referral_for_reading(*, user, pk: int, purpose: str) -> Referral:
    """`referral_detail`, and the read of its personal details audited (ids only)."""
    from referrals.services import referral_read_record

    referral = referral_detail(user=user, pk=pk)
    referral_read_record(actor=user, referral=referral, purpose=purpose)
    return referral


def find_by_crn(*, user, crn: str, scope=None) -> list[Referral]:
    """The referrals `user` may read for this case reference number, through its keyed hash (an
    indexed equality test: the number itself is not in the database). `scope(user)`, if given,
    is the queryset to look in instead of every referral they may read (the provider's inbox)."""
    crn = normalise_crn(crn)
    if not crn_is_valid(crn):
        return []
    among = (scope or referrals_visible_to)(user)
    return list(among.filter(crn_digest=crn_digest(crn)).order_by("-created_at", "-id"))


def referral_progress(referral: Referral) -> dict:
    """Everything the referral's page shows beside the person: categories and outcomes, who has it,
    the appointment, the plan versions (and which is being written, waiting for approval, approved
    last), sessions and the report. A fixed number of queries. The practitioner's page and the
    provider's both show it, through the macros of `referrals/_progress.html`."""
    categories = list(
        ReferralCategory.objects.filter(referral=referral)
        .select_related("category", "complexity")
        .prefetch_related("outcomes__outcome")
    )
    plans = list(ActionPlan.objects.filter(referral=referral).prefetch_related("activities").order_by("version"))
    # At most one version is not approved (the one being written or waiting for approval).
    open_plan = next((p for p in plans if p.approved_at is None), None)
    return {
        "categories": categories,
        # {referral outcome id: the desired outcome's words}, to name each activity of a plan.
        "outcome_names": {o.pk: o.outcome.description for row in categories for o in row.outcomes.all()},
        "assignments": list(Assignment.objects.filter(referral=referral).select_related("organisation", "caseworker")),
        "appointment": Appointment.objects.filter(referral=referral).order_by("-booked_at", "-id").first(),
        "plans": plans,
        "open_plan": open_plan,
        "plan_to_approve": open_plan if open_plan is not None and open_plan.submitted_at is not None else None,
        "approved_plan": next((p for p in reversed(plans) if p.approved_at is not None), None),
        "sessions": list(DeliverySession.objects.filter(referral=referral).order_by("number")),
        "report": EndOfServiceReport.objects.filter(referral=referral)
        .prefetch_related("outcomes__outcome__outcome")
        .first(),
    }


# --- Subject access ------------------------------------------------------------------------------


def _iso(value):
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def subject_access_export(crn: str) -> dict:
    """Everything held about the person with this CRN, across every referral, as JSON-ready data
    (for a subject access request; run by `manage.py referral_subject_access`, which audits it)."""
    crn = normalise_crn(crn)
    if not crn_is_valid(crn):
        raise ValueError("Not a case reference number")
    referrals = (
        Referral.objects.filter(crn_digest=crn_digest(crn))
        .select_related("contract", "contract__supplier", "area")
        .order_by("created_at")
    )
    out = []
    for referral in referrals:
        progress = referral_progress(referral)
        out.append(
            {
                "reference": referral.reference,
                "service": referral.contract.title,
                "provider": referral.contract.supplier.legal_name,
                "status": rules.STATUS_LABELS[referral.status],
                "person": {
                    name: _iso(getattr(referral, name))
                    for name in (
                        "crn",
                        "first_name",
                        "last_name",
                        "date_of_birth",
                        "sex",
                        "gender",
                        "email",
                        "phone",
                        "address",
                        "preferred_language",
                        "accessibility_needs",
                        "needs_interpreter",
                        "interpreter_language",
                    )
                },
                "order": {
                    "type": referral.get_order_type_display() if referral.order_type else None,
                    "ends_on": _iso(referral.order_end_on),
                    "max_rar_days": referral.max_rar_days,
                },
                "risk_summary": referral.risk_summary,
                "complete_by": _iso(referral.complete_by),
                "dates": {
                    name: _iso(getattr(referral, name))
                    for name in ("created_at", "sent_at", "cancelled_at", "ended_at", "concluded_at")
                },
                "support": [
                    {
                        "type": row.category.name,
                        "complexity": row.complexity.title if row.complexity else None,
                        "desired_outcomes": [o.outcome.description for o in row.outcomes.all()],
                    }
                    for row in progress["categories"]
                ],
                "appointment": (
                    {
                        "starts_at": _iso(progress["appointment"].starts_at),
                        "method": progress["appointment"].get_method_display(),
                        "location": progress["appointment"].location,
                    }
                    if progress["appointment"]
                    else None
                ),
                "action_plans": [
                    {
                        "version": plan.version,
                        "sessions": plan.number_of_sessions,
                        "approved_at": _iso(plan.approved_at),
                        "activities": [a.description for a in plan.activities.all()],
                    }
                    for plan in progress["plans"]
                ],
                "sessions": [
                    {
                        "number": s.number,
                        "happened_at": _iso(s.happened_at),
                        "attendance": s.get_attendance_display(),
                        "engagement": s.get_engagement_display() if s.engagement else None,
                        "notes": s.notes,
                    }
                    for s in progress["sessions"]
                ],
                "report": (
                    {
                        "sent_at": _iso(progress["report"].sent_at),
                        "further_notes": progress["report"].further_notes,
                        "outcomes": [
                            {"achievement": o.get_achievement_display(), "notes": o.notes}
                            for o in progress["report"].outcomes.all()
                        ],
                    }
                    if progress["report"]
                    else None
                ),
            }
        )
    return {"case_reference_number": crn, "referrals": out}


def subject_access_json(crn: str) -> str:
    return json.dumps(subject_access_export(crn), indent=2, ensure_ascii=False)


# --- Numbers for the rest of the service (issue 12 "Numbers", issue 13) -----------------------------


def _month(field: str):
    return TruncMonth(field, tzinfo=LONDON)


def referral_counts(
    *,
    contract_ids: list[int] | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> list[dict]:
    """Per contract, probation region (the practitioner's) and London calendar month: referrals
    received (sent), started (first session attended), completed (report sent, not ended early),
    ended early, cancelled, sessions delivered (attended or late) and report outcomes achieved,
    partly achieved and not achieved. Seven queries whatever the number of contracts or referrals;
    no personal data. Rows sorted by contract, area, month; months with nothing are left out.
    `since` and `until` (London dates, both included) bound when each thing counted happened."""
    referrals = Referral.objects.filter(sent_at__isnull=False)
    sessions = DeliverySession.objects.exclude(attendance="did_not_attend")
    outcomes = ReportOutcome.objects.filter(report__sent_at__isnull=False)
    if contract_ids is not None:
        referrals = referrals.filter(contract_id__in=contract_ids)
        sessions = sessions.filter(referral__contract_id__in=contract_ids)
        outcomes = outcomes.filter(report__referral__contract_id__in=contract_ids)
    table: dict[tuple, dict] = defaultdict(
        lambda: {
            "received": 0,
            "started": 0,
            "completed": 0,
            "ended_early": 0,
            "cancelled": 0,
            "sessions_delivered": 0,
            "outcomes_achieved": 0,
            "outcomes_partly": 0,
            "outcomes_not_achieved": 0,
        }
    )

    def add(queryset, prefix: str, when: str, column: str | None, extra: Q | None = None, by: str | None = None):
        queryset = queryset.filter(**{f"{when}__isnull": False})
        if extra is not None:
            queryset = queryset.filter(extra)
        if since is not None:
            queryset = queryset.filter(**{f"{when}__date__gte": since})
        if until is not None:
            queryset = queryset.filter(**{f"{when}__date__lte": until})
        fields = [f"{prefix}contract_id", f"{prefix}area_id", "month"] + ([by] if by else [])
        rows = queryset.annotate(month=_month(when)).order_by().values(*fields).annotate(n=Count("id"))
        for row in rows:
            key = (row[f"{prefix}contract_id"], row[f"{prefix}area_id"], row["month"].date())
            name = column or {"achieved": "outcomes_achieved", "partly": "outcomes_partly"}.get(
                row[by], "outcomes_not_achieved"
            )
            table[key][name] += row["n"]

    add(referrals, "", "sent_at", "received")
    add(referrals, "", "started_at", "started")
    # Completed, ended early and cancelled: each referral counted in the month it ended.
    for status, when in (("completed", "concluded_at"), ("ended_early", "ended_at"), ("cancelled", "cancelled_at")):
        if status == "completed":
            add(referrals, "", when, status, extra=rules.REFERRAL_COMPLETED.q())
        else:
            add(referrals, "", when, status)
    add(sessions, "referral__", "happened_at", "sessions_delivered")
    add(outcomes, "report__referral__", "report__sent_at", None, by="achievement")
    return [
        {"contract_id": contract_id, "area_id": area_id, "month": month, **figures}
        for (contract_id, area_id, month), figures in sorted(table.items())
    ]


def contract_delivery_figures(
    contract_id: int, *, period_start: datetime.date | None = None, period_end: datetime.date | None = None
) -> dict[str, int]:
    """The contract's totals of `referral_counts` over every area and month of the period:
    registered with contracts.delivery for the contract and claim pages (seven queries)."""
    rows = referral_counts(contract_ids=[contract_id], since=period_start, until=period_end)
    names = ("received", "started", "completed", "sessions_delivered")
    return {name: sum(row[name] for row in rows) for name in names}


WITHHELD = f"fewer than {SMALL_NUMBER}"


def public_figure(count: int) -> int | str:
    """A count fit to publish: 1 to SMALL_NUMBER − 1 (contracts' small-number rule, the one the
    payment-times page uses) is shown as "fewer than 5"; 0 and larger numbers as they are."""
    return WITHHELD if 0 < count < SMALL_NUMBER else count


def public_counts(rows: list[dict]) -> list[dict]:
    """`referral_counts` rows with every figure passed through `public_figure`."""
    keys = ("contract_id", "area_id", "month")
    return [{k: (v if k in keys else public_figure(v)) for k, v in row.items()} for row in rows]
