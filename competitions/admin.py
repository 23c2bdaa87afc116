"""The Django admin for competitions: read-only views for framework administrators.

Changes go through the service's own pages (audited services). Bid content is sealed: a Bid shows
only who bid for what, when, and the digest. BidAnswer, BidPrice, BidPartner, BidDocument, Score,
ModeratedScore and PassFailResult are deliberately NOT registered, and Bid has no inlines, so
nothing a bid says can be read here (administrators are not allowed to read bids, ever).

Who bid is itself sealed until bidding closes: the Bid and BidReceipt lists hold only sent bids of
competitions whose bidding has closed (`Bid.objects.sent_and_closed`, the one rule), so no page here
names a bidder before the deadline.
"""

from __future__ import annotations

from django.contrib import admin

from accounts.admin import ReadOnlyAdministratorModelAdmin, ReadOnlyInline
from competitions.models import (
    Bid,
    BidReceipt,
    Clarification,
    CoCommissioner,
    Competition,
    CompetitionInvitation,
    CompetitionMember,
    Lot,
    LotYear,
    Question,
)


class LotYearInline(ReadOnlyInline):
    model = LotYear
    fields = ("financial_year", "value", "volume")


class CompetitionMemberInline(ReadOnlyInline):
    model = CompetitionMember
    fields = ("user", "role", "added_at")


@admin.register(Competition)
class CompetitionAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("reference", "title", "service_type", "owner_area", "launched_at", "closes_at", "abandoned_at")
    list_filter = ("service_type",)
    search_fields = ("reference", "title")
    inlines = [CompetitionMemberInline]


@admin.register(Lot)
class LotAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("competition", "number", "name", "abandoned_at")
    search_fields = ("name", "competition__title")
    inlines = [LotYearInline]


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("competition", "number", "kind", "weight", "word_limit", "lot_specific")


@admin.register(CoCommissioner)
class CoCommissionerAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("competition", "name", "party_type")


@admin.register(CompetitionInvitation)
class CompetitionInvitationAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("competition", "organisation", "kind", "invited_at")
    list_filter = ("kind",)


@admin.register(Clarification)
class ClarificationAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("competition", "asked_at", "answered_at")
    fields = ("competition", "asked_at", "question", "answer", "answered_at")


# Only what is safe to show before and after the closing date: never what the bid says.
BID_SAFE_FIELDS = (
    "competition",
    "organisation",
    "started_at",
    "updated_at",
    "submitted_at",
    "withdrawn_at",
    "submitted_digest",
)


@admin.register(Bid)
class BidAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("id", "competition", "organisation", "submitted_at", "withdrawn_at")
    fields = BID_SAFE_FIELDS
    readonly_fields = BID_SAFE_FIELDS
    inlines: list = []
    search_fields = ("organisation__legal_name", "competition__reference")

    def get_queryset(self, request):
        return super().get_queryset(request).sent_and_closed()


@admin.register(BidReceipt)
class BidReceiptAdmin(ReadOnlyAdministratorModelAdmin):
    list_display = ("bid", "kind", "at", "digest")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(bid__in=Bid.objects.sent_and_closed())

    fields = ("bid", "kind", "at", "digest")
    readonly_fields = ("bid", "kind", "at", "digest")
