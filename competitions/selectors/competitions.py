"""Reading competitions for commissioners: their list, choices for forms, and what stops a plan
or a launch (weights, timetable, lots). Also the public pipeline of planned competitions."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from accounts.models import Role, StaffRole, User
from competitions.models import Competition, CompetitionMember, QuestionKind
from core.clock import LONDON, add_working_days, db_now, financial_year_label, financial_year_of, working_days_between
from core.formatting import london_date
from reference.models import Area, AreaLevel
from reference.selectors import covering_paths

SHORT_WINDOW_WORKING_DAYS = 10


def competitions_managed_by(*, user) -> QuerySet[Competition]:
    """The competitions this person is a commissioner of, newest first."""
    return (
        Competition.objects.filter(members__user=user, members__role=CompetitionMember.MemberRole.COMMISSIONER)
        .select_related("service_type", "owner_area")
        .prefetch_related("lots__award")
        .distinct()
        .order_by("-created_at")
    )


def owner_area_choices(*, user) -> QuerySet[Area]:
    """The areas a commissioner may run a competition for: each area of their commissioner roles,
    and the PCC areas inside a region they cover."""
    scopes = list(
        StaffRole.objects.filter(user=user, role=Role.COMMISSIONER, area__isnull=False).select_related("area")
    )
    if not scopes:
        return Area.objects.none()
    query = Q()
    for scope in scopes:
        query |= Q(pk=scope.area_id)
        if scope.area.level == AreaLevel.REGION:
            query |= Q(level=AreaLevel.PCC_AREA, path__startswith=scope.area.path)
    return Area.objects.filter(query).order_by("path")


def lot_area_choices(*, competition: Competition) -> QuerySet[Area]:
    """A lot covers the owner area itself or a PCC area inside it."""
    owner = competition.owner_area
    return Area.objects.filter(Q(pk=owner.pk) | Q(level=AreaLevel.PCC_AREA, path__startswith=owner.path)).order_by(
        "path"
    )


def local_authority_choices(*, competition: Competition) -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.LOCAL_AUTHORITY, path__startswith=competition.owner_area.path).order_by(
        "name"
    )


def contract_end(competition: Competition) -> datetime.date | None:
    """The last day of the contract's main term (without extensions)."""
    if competition.contract_start is None:
        return None
    start = competition.contract_start
    try:
        after = start.replace(year=start.year + competition.contract_years)
    except ValueError:  # 29 February
        after = start.replace(year=start.year + competition.contract_years, day=28)
    return after - datetime.timedelta(days=1)


def contract_financial_years(competition: Competition) -> list[int]:
    """The financial years (April to March) the contract's main term touches."""
    end = contract_end(competition)
    if end is None or competition.contract_years == 0:
        return []
    return list(range(financial_year_of(competition.contract_start), financial_year_of(end) + 1))


def financial_year_choices(competition: Competition) -> list[tuple[int, str]]:
    return [(year, financial_year_label(year)) for year in contract_financial_years(competition)]


def weight_totals(competition: Competition) -> dict[str, Decimal]:
    quality = competition.questions.filter(kind=QuestionKind.QUALITY).aggregate(total=Sum("weight"))["total"]
    social = competition.questions.filter(kind=QuestionKind.SOCIAL_VALUE).aggregate(total=Sum("weight"))["total"]
    quality = quality or Decimal("0")
    totals = {
        "quality": quality,
        "social_value": competition.social_value_weight,
        "price": competition.price_weight,
        "social_value_questions": social or Decimal("0"),
    }
    totals["total"] = quality + competition.social_value_weight + competition.price_weight
    return totals


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def weights_problems(competition: Competition) -> list[str]:
    totals = weight_totals(competition)
    problems = []
    if totals["total"] != 100:
        problems.append(
            "Weights must add up to 100. At the moment they add up to "
            f"{_number(totals['total'])}: quality questions {_number(totals['quality'])}, "
            f"social value {_number(totals['social_value'])}, price {_number(totals['price'])}"
        )
    if totals["social_value"] > 0 and totals["social_value_questions"] != totals["social_value"]:
        problems.append(
            f"Social value questions must add up to the social value weight ({_number(totals['social_value'])}). "
            f"At the moment they add up to {_number(totals['social_value_questions'])}"
        )
    if not competition.questions.filter(kind=QuestionKind.QUALITY).exists():
        problems.append("Add at least one quality question")
    return problems


def standstill_end(competition: Competition) -> datetime.datetime | None:
    if competition.intended_award_at is None:
        return None
    return add_working_days(competition.intended_award_at, competition.standstill_days)


def timetable_problems(competition: Competition) -> list[str]:
    """Missing dates and dates out of order."""
    names = [
        ("clarification_deadline", "the deadline for questions"),
        ("closes_at", "the closing date"),
        ("evaluation_ends_at", "the end of scoring"),
        ("intended_award_at", "the intended award date"),
    ]
    problems = [f"Enter {label}" for field, label in names if getattr(competition, field) is None]
    if problems:
        return problems
    for (first, first_label), (second, second_label) in zip(names, names[1:], strict=False):
        if getattr(competition, first) >= getattr(competition, second):
            problems.append(f"{first_label[:1].upper()}{first_label[1:]} must be before {second_label}")
    if competition.contract_start is None:
        problems.append("Enter the contract start date")
    else:
        ends = standstill_end(competition)
        if competition.contract_start < ends.astimezone(LONDON).date():
            problems.append(
                "The contract must start after the waiting period before the contract ends "
                f"({competition.standstill_days} working days after the intended award date: "
                f"{london_date(ends - datetime.timedelta(seconds=1))})"
            )
    return problems


def timetable_warnings(competition: Competition, *, now: datetime.datetime | None = None) -> list[str]:
    """Not errors: things a commissioner should think about."""
    if competition.closes_at is None:
        return []
    start = competition.launched_at or now or db_now()
    days = working_days_between(start, competition.closes_at)
    if days < SHORT_WINDOW_WORKING_DAYS:
        return [
            f"Providers will have {days} working day{'s' if days != 1 else ''} to bid. "
            f"Small organisations without a bid writer need at least {SHORT_WINDOW_WORKING_DAYS} working days"
        ]
    return []


def lots_problems(competition: Competition) -> list[str]:
    lots = list(competition.lots.filter(abandoned_at__isnull=True).prefetch_related("years", "areas", "funding"))
    if not lots:
        return ["Add at least one lot"]
    years = set(contract_financial_years(competition))
    problems = []
    for lot in lots:
        if not lot.areas.all():
            problems.append(f"Choose the area of {lot}")
        have = {lot_year.financial_year for lot_year in lot.years.all()}
        if years and not years <= have:
            problems.append(f"Enter the estimated value and people for every year of {lot}")
        total_share = sum((funding.share_percent for funding in lot.funding.all()), Decimal("0"))
        if total_share > 100:
            problems.append(f"Funding partners' shares of {lot} add up to more than 100%")
    return problems


def plan_problems(competition: Competition) -> list[str]:
    """What stops a competition being published as planned: details, lots and dates."""
    problems = []
    if not competition.summary.strip():
        problems.append("Enter a summary")
    if competition.contract_start is None:
        problems.append("Enter the contract start date")
    problems += lots_problems(competition)
    problems += timetable_problems(competition)
    problems += weights_problems(competition)
    return list(dict.fromkeys(problems))


def launch_problems(competition: Competition, *, now: datetime.datetime | None = None) -> list[str]:
    """Everything must be ready, and the deadlines still ahead."""
    problems = plan_problems(competition)
    if not competition.specification.strip():
        problems.append("Enter the specification")
    now = now or db_now()
    if competition.clarification_deadline is not None and competition.clarification_deadline <= now:
        problems.append("The deadline for questions must be in the future")
    if competition.closes_at is not None and competition.closes_at <= now:
        problems.append("The closing date must be in the future")
    return problems


def is_editable(competition: Competition) -> bool:
    """Set-up can change until launch (a planned competition can still be changed)."""
    return competition.launched_at is None and competition.abandoned_at is None


def pipeline_competitions() -> QuerySet[Competition]:
    """Planned competitions not yet open and not abandoned: the public pipeline."""
    return (
        Competition.objects.filter(planned_at__isnull=False, launched_at__isnull=True, abandoned_at__isnull=True)
        .select_related("service_type", "owner_area")
        .prefetch_related("lots__years", "lots__areas")
        .order_by("closes_at", "title")
    )


def commissioners_of(competition: Competition) -> QuerySet[User]:
    return User.objects.filter(
        competition_memberships__competition=competition,
        competition_memberships__role=CompetitionMember.MemberRole.COMMISSIONER,
    ).order_by("full_name")


def commissioners_available(competition: Competition) -> QuerySet[User]:
    """Commissioners who may join this competition's team: those whose commissioner role covers its
    area (the area itself or one above it), not already on the team."""
    covering = covering_paths(competition.owner_area)
    return (
        User.objects.filter(
            is_active=True,
            staff_roles__role=Role.COMMISSIONER,
            staff_roles__area__path__in=covering,
        )
        .exclude(pk__in=commissioners_of(competition).values("pk"))
        .distinct()
        .order_by("full_name")
    )
