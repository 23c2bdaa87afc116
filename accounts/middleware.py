"""Send someone who has not confirmed their e-mail address to the page that says what to do.

Django's LoginRequiredMiddleware decides who must sign in; this decides, just after it, who must
confirm their address first: anyone `permissions.awaits_email_confirmation` names. Public pages
(`@login_not_required`) and pages marked `@email_confirmation_not_required` stay open to them.
"""

from __future__ import annotations

from django.shortcuts import redirect

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
