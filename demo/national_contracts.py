"""A generated contract's life after award, for the national world (`demo.national`): who it is
for, changes (a variation, an option to extend used), an early termination, and a payment claim for
every period its payment terms set that has ended by `now`, most paid on time and some late (for a
few contracts, more late each year).

Rows only, unsaved, for the national world's bulk inserts: the changes are versions as the
contracts services record them (ADR 9: proposed by one commissioner, approved by another, accepted
by the provider), the periods come from `contracts.selectors.payment_periods`, and nothing here is
audited (see `demo.national`).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from decimal import Decimal

from competitions.models import PaymentFrequency
from contracts.models import (
    OLDEST,
    YOUNGEST,
    Contract,
    ContractVersion,
    ContractVersionPartner,
    ContractVersionYear,
    EligibleSex,
    PaymentClaim,
    TerminationReason,
    VariationGround,
    VersionKind,
)
from contracts.selectors import payment_periods, term_financial_years
from contracts.services_eligibility import eligibility_checked
from core.clock import LONDON, financial_year_of

VARIED = 0.15  # share of started contracts with a variation
EXTENDED = 0.35  # share of contracts offering an extension that use it (once due)
TERMINATED = 0.04  # share of started contracts ended early
LATE = 0.12  # share of claims paid after the day the payment terms set
# A minority of contracts whose payments slip year after year, so issue 13's "late payment rising"
# flag (`volumes.flags`) has something beyond chance to find: (share of contracts, lowest, highest
# rise a year in the share of their claims paid late), from their second financial year on.
LATE_RISING = (0.15, 0.1, 0.2)
LATE_MOST = 0.9  # the share paid late never rises beyond this
CLAIM_SENT_WITHIN_DAYS = 12  # a claim is sent 2 to this many days after its period ends
CENT = Decimal("0.01")


@dataclass
class AfterAward:
    versions: list[ContractVersion] = field(default_factory=list)
    version_years: list[ContractVersionYear] = field(default_factory=list)
    version_areas: list[tuple[ContractVersion, int]] = field(default_factory=list)
    version_partners: list[ContractVersionPartner] = field(default_factory=list)
    claims: list[PaymentClaim] = field(default_factory=list)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=LONDON)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def eligibility(contract: Contract) -> dict:
    """Who a generated contract is for, as its commissioners would set it: women's services for
    women, young adults' services for 18 to 25, accommodation mostly from before release, and
    some of every other kind for one order only, a narrower age band or after release only. Its own
    random sequence, from the contract's title and start, so the rest of the world is unchanged.
    Checked by the rule the service uses (`eligibility_checked`)."""
    rng = random.Random(f"eligibility:{contract.title}:{contract.starts_on}")
    code = contract.service_type.code
    roll = rng.random()
    orders = (True, True)
    if roll < 0.15:
        orders = (False, True)  # people on licence only
    elif roll < 0.25:
        orders = (True, False)  # community orders only
    ages = (YOUNGEST, OLDEST)
    if code == "young-adults-wales":
        ages = (YOUNGEST, 25)
    elif rng.random() < 0.1:
        ages = rng.choice([(YOUNGEST, 25), (21, OLDEST), (25, OLDEST), (50, OLDEST)])
    pre_release = rng.random() < (0.85 if code == "accommodation" else 0.6)
    sex = EligibleSex.ANY
    if code == "womens-services":
        sex = EligibleSex.WOMEN
    elif rng.random() < 0.05:
        sex = EligibleSex.MEN
    return eligibility_checked(
        min_age=ages[0],
        max_age=ages[1],
        sex=sex,
        community_orders=orders[0],
        licences=orders[1],
        pre_release=pre_release,
    )


def after_award(
    *,
    rng: random.Random,
    now: datetime.datetime,
    contract: Contract,
    as_made: ContractVersion,
    years: list[ContractVersionYear],
    area_ids: list[int],
    partners: list[ContractVersionPartner],
    commissioner,
    approver,
    provider,
) -> AfterAward:
    """Everything that happened to `contract` (version 1 `as_made`, with `years`, `area_ids` and
    `partners`) by `now`."""
    today = now.astimezone(LONDON).date()
    for name, value in eligibility(contract).items():
        setattr(contract, name, value)
    life = AfterAward()
    started = contract.starts_on <= today
    terms, terms_years = as_made, years
    in_force = [(as_made, years)]

    def new_version(kind: str, ground: str, explanation: str, moment: datetime.datetime) -> ContractVersion:
        version = ContractVersion(
            contract=contract,
            number=len(in_force) + 1,
            kind=kind,
            ground=ground,
            explanation=explanation,
            ends_on=terms.ends_on,
            payment_frequency=terms.payment_frequency,
            payment_days=terms.payment_days,
            created_at=moment,
            created_by=commissioner,
            proposed_at=moment,
            proposed_by=commissioner,
            approved_at=moment + datetime.timedelta(days=3),
            approved_by=approver,
            accepted_at=moment + datetime.timedelta(days=7),
            accepted_by=provider,
        )
        life.versions.append(version)
        life.version_areas.extend((version, area_id) for area_id in area_ids)
        # A full copy of the terms, as the service makes it: the partners' shares too.
        life.version_partners.extend(
            ContractVersionPartner(
                version=version,
                organisation=partner.organisation,
                name=partner.name,
                role=partner.role,
                share_percent=partner.share_percent,
            )
            for partner in partners
        )
        return version

    # A variation: more people than modelled, from one year of the term onwards.
    if started and rng.random() < VARIED:
        term_days = (terms.ends_on - contract.starts_on).days
        moment = _at(contract.starts_on + datetime.timedelta(days=rng.randint(60, max(61, term_days - 120))), 10)
        if moment + datetime.timedelta(days=7) <= now:
            version = new_version(
                VersionKind.VARIATION,
                rng.choice([VariationGround.UNFORESEEABLE, VariationGround.ADDITIONAL]),
                "More people were referred than the estimate the opportunity was based on.",
                moment,
            )
            uplift = Decimal(rng.choice([110, 115, 120, 125])) / 100
            from_year = financial_year_of(moment.date())
            terms_years = [
                ContractVersionYear(
                    version=version,
                    financial_year=y.financial_year,
                    value=(y.value * uplift).quantize(CENT) if y.financial_year >= from_year else y.value,
                    volume=round(y.volume * uplift) if y.financial_year >= from_year else y.volume,
                )
                for y in terms_years
            ]
            life.version_years.extend(terms_years)
            terms = version
            in_force.append((version, terms_years))

    # An option to extend used a few months before the end, where the opportunity offered one.
    extended = False
    if contract.extension_years and rng.random() < EXTENDED:
        moment = _at(terms.ends_on - datetime.timedelta(days=rng.randint(60, 150)), 10)
        if moment + datetime.timedelta(days=7) <= now and moment.date() > contract.starts_on:
            version = new_version(
                VersionKind.EXTENSION,
                VariationGround.PROVIDED_FOR,
                "The service works well, so the option to extend for a year is used.",
                moment,
            )
            version.extension_years = 1
            version.ends_on = _add_years(terms.ends_on + datetime.timedelta(days=1), 1) - datetime.timedelta(days=1)
            last = terms_years[-1]
            by_year = {y.financial_year: y for y in terms_years}
            terms_years = [
                ContractVersionYear(
                    version=version,
                    financial_year=year,
                    value=by_year[year].value if year in by_year else last.value,
                    volume=by_year[year].volume if year in by_year else last.volume,
                )
                for year in term_financial_years(contract.starts_on, version.ends_on)
            ]
            life.version_years.extend(terms_years)
            terms = version
            in_force.append((version, terms_years))
            extended = True

    # Ended early: notice given part-way through, the last day three months later.
    if started and not extended and rng.random() < TERMINATED:
        term_days = (terms.ends_on - contract.starts_on).days
        notice_on = contract.starts_on + datetime.timedelta(days=rng.randint(90, max(91, term_days - 100)))
        if notice_on <= today:
            contract.termination_reason = rng.choice(
                [TerminationReason.PROVIDER_FAILURE, TerminationReason.NO_LONGER_NEEDED, TerminationReason.MUTUAL]
            )
            contract.termination_explanation = "The contract is ending early, as both sides were told in writing."
            contract.termination_notice_on = notice_on
            contract.terminates_on = min(notice_on + datetime.timedelta(days=90), terms.ends_on)
            contract.termination_recorded_at = _at(notice_on, 11)
            contract.termination_recorded_by = commissioner

    rising = rng.uniform(*LATE_RISING[1:]) if rng.random() < LATE_RISING[0] else 0.0
    life.claims = _claims(rng, now, contract, terms, in_force, (commissioner, approver, provider), rising)
    return life


def _claims(rng, now, contract, terms, in_force, people, rising: float) -> list[PaymentClaim]:
    """A claim for each period ended by `now`, sent days after it ends, approved days later and
    paid: most within the payment terms' days, some (LATE, and `rising` more each financial year of
    the term after the first) weeks after. `people`: the commissioner, approver and provider."""
    commissioner, approver, provider = people
    today = now.astimezone(LONDON).date()
    first_year = financial_year_of(contract.starts_on)
    per_year = 4 if terms.payment_frequency == PaymentFrequency.QUARTERLY_IN_ARREARS else 12
    claims = []
    for start, end in payment_periods(contract, terms):
        sent_on = end + datetime.timedelta(days=rng.randint(2, CLAIM_SENT_WITHIN_DAYS))
        sent_at = _at(sent_on, 10)
        if sent_at > now:
            break
        version, years = next((v, y) for v, y in reversed(in_force) if v.accepted_at <= sent_at)
        year_value = next((y.value for y in years if y.financial_year == financial_year_of(start)), years[-1].value)
        approved_at = sent_at + datetime.timedelta(days=rng.randint(1, 8), hours=3)
        late = rng.random() < min(LATE_MOST, LATE + rising * (financial_year_of(start) - first_year))
        earliest = (approved_at.date() - sent_on).days
        if late:
            days = version.payment_days + rng.randint(3, 45)
        else:
            days = rng.randint(earliest, max(earliest, version.payment_days))
        paid_on = sent_on + datetime.timedelta(days=days)
        paid_on = max(paid_on, approved_at.date())
        approved = approved_at <= now
        paid = approved and paid_on <= today and _at(paid_on, 15) <= now
        claims.append(
            PaymentClaim(
                contract=contract,
                period_start=start,
                period_end=end,
                amount=(year_value / per_year).quantize(CENT),
                note="",
                sent_at=sent_at,
                sent_by=provider,
                approved_at=approved_at if approved else None,
                approved_by=approver if approved else None,
                paid_on=paid_on if paid else None,
                paid_recorded_at=_at(paid_on, 15) if paid else None,
                paid_recorded_by=commissioner if paid else None,
            )
        )
    return claims
