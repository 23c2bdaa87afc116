"""What a signed-in person must do before any other page: confirm their e-mail address, and (for
staff) give a code from their second factor.

Django's LoginRequiredMiddleware decides who must sign in; `EmailConfirmationMiddleware` decides,
just after it, who must confirm their address first: anyone `permissions.awaits_email_confirmation`
names. Public pages (`@login_not_required`) and pages marked `@email_confirmation_not_required` stay
open to them. `SecondFactorMiddleware` then sends anyone `permissions.needs_second_factor` names,
whose session has not been verified with a code, to enter one (or to set up their app first).
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts import permissions


def email_confirmation_not_required(view_func):
    """Mark a signed-in page an unconfirmed account may still use (confirming, signing out)."""
    view_func.email_confirmation_required = False
    return view_func


class EmailConfirmationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        if not getattr(view_func, "email_confirmation_required", True):
            return None
        if permissions.awaits_email_confirmation(getattr(request, "user", None)):
            return redirect("accounts:confirm-email")
        return None


def second_factor_not_required(view_func):
    """Mark a signed-in page that staff may use before giving a code (the code pages, signing out)."""
    view_func.second_factor_required = False
    return view_func


def awaits_second_factor(user) -> bool:
    """Signed in with a password, but the session has no code yet from someone who needs one."""
    return (
        getattr(user, "is_authenticated", False)
        and permissions.needs_second_factor(user)
        and not (hasattr(user, "is_verified") and user.is_verified())
    )


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware (which tells `user.is_verified()`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not awaits_second_factor(user):
            return None
        if not getattr(view_func, "login_required", True):
            match = getattr(request, "resolver_match", None)
            if match is not None and "api" in match.namespaces:
                # The API is public or needs a session: a session without its code counts as none.
                request.user = AnonymousUser()
            return None
        if not getattr(view_func, "second_factor_required", True):
            return None
        name = "accounts:second-factor" if permissions.has_second_factor(user) else "accounts:second-factor-set-up"
        return redirect(reverse(name) + "?" + urlencode({"next": request.get_full_path()}))
