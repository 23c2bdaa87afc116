"""The service navigation: what each person sees in the header, from the permission predicates.

Lives in config/ because it links every app; apps never import it.
"""

from __future__ import annotations

from django.urls import reverse

from accounts.permissions import is_assessor, is_commissioner, is_evaluator, is_staff_member, membership_of
from contracts.permissions import can_find_services
from referrals.permissions import is_practitioner
from referrals.selectors_provider import takes_referrals


def _item(request, url_name: str, text: str, *, prefix: str | None = None) -> dict:
    href = reverse(url_name)
    active_prefix = prefix or href
    return {"href": href, "text": text, "active": request.path.startswith(active_prefix)}


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    items: list[dict] = []
    if user is not None and user.is_authenticated:
        if membership_of(user) is not None:
            items.append(_item(request, "qualification:application", "Your application", prefix="/join/application"))
            items.append(_item(request, "competitions:for-you", "Opportunities for you"))
            if takes_referrals(user):
                items.append(_item(request, "referrals_provider:inbox", "Referrals"))
        if is_assessor(user):
            items.append(_item(request, "qualification:assess-queue", "Applications"))
        if is_commissioner(user):
            items.append(_item(request, "competitions:manage", "Your opportunities"))
        if is_evaluator(user) and not is_commissioner(user):
            items.append(_item(request, "competitions:evaluator-home", "Bids to score"))
        finding = _item(request, "contracts:find-services", "Find services")
        if can_find_services(user):
            items.append(finding)
        if is_practitioner(user):
            items.append(_item(request, "referrals:list", "Your referrals"))
        if is_staff_member(user):
            register = _item(request, "contracts:register", "Contracts")
            # Finding services sits under /contracts/ too; only its own item is marked as the current page.
            register["active"] = register["active"] and not finding["active"]
            items.append(register)
    else:
        items.append(_item(request, "qualification:start", "Join the framework", prefix="/join/"))
    items.append(_item(request, "publicdata:opportunities", "Opportunities", prefix="/public/"))
    items.append(_item(request, "insights:index", "Insights", prefix="/insights/"))
    return {"service_navigation": items}
