"""Accounts pages. Thin: parse the form, check the permission predicate, call one service or selector."""

from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import url_has_allowed_host_and_scheme, urlencode, urlsafe_base64_decode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts import confirmation, permissions, selectors, services
from accounts.forms import (
    AcceptInvitationForm,
    InviteColleagueForm,
    InviteStaffForm,
    NewPasswordForm,
    PasswordResetRequestForm,
    SecondFactorForm,
    SecondFactorSetUpForm,
    SignInForm,
)
from accounts.home import home_sections
from accounts.middleware import email_confirmation_not_required, second_factor_not_required
from accounts.models import Invitation, Membership, StaffRole, User

SIGN_IN_FAILED = "Enter a correct email address and password"
SIGN_IN_TOO_MANY = "You have tried to sign in too many times. Wait 15 minutes and try again."
SECOND_FACTOR_WRONG = "The code is not right. Enter the code your app shows now, or an unused recovery code"
BACKEND = "accounts.backends.EmailBackend"


def _safe_next(request: HttpRequest, candidate: str | None) -> str | None:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return None


def _unusable(request: HttpRequest, status: str, invitation: Invitation | None = None) -> HttpResponse:
    return render(
        request,
        "accounts/invitation_unusable.html",
        {"status": status, "invitation": invitation, "valid_days": settings.INVITATION_VALID_DAYS},
        status=404 if status == "unknown" else 410,
    )


def _form_page(request: HttpRequest, template: str, form, **context) -> HttpResponse:
    return render(request, template, {"form": form, "page_has_errors": bool(form.errors), **context})


# --- Your account ----------------------------------------------------------------------------


def _links_for(user: User, membership: Membership | None) -> list[dict[str, str]]:
    wanted: list[tuple[str, str]] = []
    if membership is not None:
        is_admin = permissions.is_org_admin(user, membership.organisation)
        wanted.append(
            (
                "accounts:organisation",
                "Manage people in your organisation" if is_admin else "See who is in your organisation",
            )
        )
        wanted.append(("qualification:application", "Your application to join the framework"))
        wanted.append(("qualification:qualifications", "What you can bid for"))
    elif not permissions.is_staff_member(user):
        wanted.append(("qualification:start", "Register your organisation to join the framework"))
    if permissions.is_assessor(user):
        wanted.append(("qualification:assess-queue", "Decide applications to join the framework"))
        wanted.append(("qualification:assess-help-requests", "Requests for help"))
    if permissions.is_commissioner(user):
        wanted.append(("competitions:manage", "Your opportunities: set up, launch, score and award"))
    if permissions.is_evaluator(user):
        wanted.append(("competitions:evaluator-home", "Bids to score"))
    if membership is not None:
        wanted.append(("competitions:for-you", "Opportunities for you"))
    if permissions.is_staff_member(user) or membership is not None:
        wanted.append(("contracts:register", "Contracts"))
    if permissions.can_manage_staff_roles(user):
        wanted.append(("accounts:staff", "Manage staff and their roles"))
    if permissions.can_use_django_admin(user):
        wanted.append(("admin:index", "Open the administration tool"))
    # A wrong URL name must fail loudly (NoReverseMatch), never drop the link without a word.
    return [{"href": reverse(name), "text": text} for name, text in wanted]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    membership = permissions.membership_of(user)
    return render(
        request,
        "accounts/home.html",
        {
            "membership": membership,
            "staff_roles": selectors.staff_roles_of(user=user),
            "can_manage_organisation": membership is not None
            and permissions.is_org_admin(user, membership.organisation),
            "links": _links_for(user, membership),
            "sections": home_sections(user),
        },
    )


# --- Signing in and out ----------------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SignInForm(request.POST)
        if form.is_valid():
            result = services.user_sign_in(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
            )
            if result.user is not None:
                return redirect(_safe_next(request, form.cleaned_data["next"]) or settings.LOGIN_REDIRECT_URL)
            if result.too_many_attempts:
                form.add_error(None, SIGN_IN_TOO_MANY)
            else:
                form.add_error("password", SIGN_IN_FAILED)
    else:
        form = SignInForm(initial={"next": _safe_next(request, request.GET.get("next")) or ""})
    return _form_page(request, "accounts/sign_in.html", form)


@email_confirmation_not_required
@second_factor_not_required
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET shows a page with a button; only POST signs out (a link must not sign anyone out)."""
    if request.method == "POST":
        logout(request)
        messages.success(request, "You have signed out")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/sign_out.html")


# --- Confirming your e-mail address ------------------------------------------------------------


def _carry_on_url(user: User | None) -> str:
    """Where a confirmed person carries on: the application of the organisation they registered."""
    if user is not None and selectors.membership_awaiting_confirmation(user=user) is not None:
        return reverse("qualification:application")
    return reverse("accounts:home")


def _confirm_context(**context) -> dict:
    return {
        "valid_days": confirmation.VALID_FOR_DAYS,
        "sends_per_hour": confirmation.SENDS_PER_HOUR,
        **context,
    }


@email_confirmation_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email(request: HttpRequest) -> HttpResponse:
    """What to do: open the link we e-mailed. A button sends a new one (bounded; the page says how)."""
    user = request.user
    if user.email_confirmed_at is not None:
        return redirect("accounts:home")
    error = None
    if request.method == "POST":
        try:
            services.email_confirmation_send(user=user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, f"We have sent a new link to {user.email}")
            return redirect("accounts:confirm-email")
    context = _confirm_context(
        last_sent=selectors.email_confirmation_last_sent(user=user),
        membership=selectors.membership_awaiting_confirmation(user=user),
        error=error,
        page_has_errors=bool(error),
    )
    return render(request, "accounts/confirm_email.html", context, status=429 if error else 200)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def confirm_email_link(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. Opening it (GET) only shows a button: a mail scanner that follows
    links must not confirm anything. Pressing it (POST) confirms the address; the person then
    carries on, or signs in to carry on if this browser is not signed in as them."""
    if request.method == "POST":
        try:
            user = services.email_confirm(token=token)
        except services.EmailConfirmationLinkError as error:
            status, user = error.status, error.user
        else:
            status = "confirmed"
    else:
        status, user = selectors.email_confirmation_link_status(token=token)
    signed_in_as_owner = user is not None and request.user.is_authenticated and request.user.pk == user.pk
    carry_on = _carry_on_url(user)
    if status == "confirmed" and signed_in_as_owner:
        messages.success(request, "Thank you. Your email address is confirmed")
        return redirect(carry_on)
    context = _confirm_context(
        status=status,
        signed_in_as_owner=signed_in_as_owner,
        carry_on_url=carry_on,
        sign_in_url=reverse("accounts:sign-in") + "?" + urlencode({"next": carry_on}),
    )
    http_status = {"invalid": 404, "expired": 410}.get(status, 200)
    return render(request, "accounts/confirm_email_link.html", context, status=http_status)


# --- Password reset --------------------------------------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password-reset-sent")
    return _form_page(request, "accounts/password_reset.html", form)


@login_not_required
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_sent.html")


def _user_from_uidb64(uidb64: str) -> User | None:
    try:
        pk = force_str(urlsafe_base64_decode(uidb64))
        return User.objects.filter(pk=int(pk), is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        return None


@login_not_required
@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _user_from_uidb64(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/password_reset_invalid.html", status=400)
    form = NewPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_password_reset(user=user, password=form.cleaned_data["password"])
        return redirect("accounts:password-reset-done")
    return _form_page(request, "accounts/password_reset_confirm.html", form, user=user)


@login_not_required
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/password_reset_done.html")


# --- Your organisation -----------------------------------------------------------------------


def _membership_or_403(request: HttpRequest) -> Membership:
    membership = permissions.membership_of(request.user)
    if membership is None or not permissions.can_view_organisation(request.user, membership.organisation):
        raise PermissionDenied
    return membership


def _admin_membership_or_403(request: HttpRequest) -> Membership:
    membership = _membership_or_403(request)
    if not permissions.can_invite_colleagues(request.user, membership.organisation):
        raise PermissionDenied
    return membership


def organisation(request: HttpRequest) -> HttpResponse:
    membership = _membership_or_403(request)
    org = membership.organisation
    is_admin = permissions.is_org_admin(request.user, org)
    return render(
        request,
        "accounts/organisation.html",
        {
            "organisation": org,
            "members": selectors.members_of(organisation=org),
            "invitations": selectors.invitations_pending_for_organisation(organisation=org) if is_admin else [],
            "is_admin": is_admin,
        },
    )


@require_http_methods(["GET", "POST"])
def organisation_invite(request: HttpRequest) -> HttpResponse:
    membership = _admin_membership_or_403(request)
    form = InviteColleagueForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create_for_organisation(
                invited_by=request.user,
                organisation=membership.organisation,
                email=form.cleaned_data["email"],
                as_org_admin=form.cleaned_data["as_org_admin"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"We have sent an invitation to {invitation.email}")
            return redirect("accounts:organisation")
    return _form_page(
        request,
        "accounts/organisation_invite.html",
        form,
        organisation=membership.organisation,
        invitation_valid_days=settings.INVITATION_VALID_DAYS,
    )


@require_http_methods(["GET", "POST"])
def organisation_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _admin_membership_or_403(request)
    invitation = get_object_or_404(Invitation, pk=pk, organisation=membership.organisation)
    return _revoke(request, invitation, back="accounts:organisation")


@require_http_methods(["GET", "POST"])
def organisation_member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _admin_membership_or_403(request)
    target = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organisation=membership.organisation)
    if not permissions.can_remove_member(request.user, target):
        raise PermissionDenied
    if request.method == "POST":
        services.membership_remove(membership=target, actor=request.user)
        messages.success(request, f"{target.user.full_name or target.user.email} has been removed")
        return redirect("accounts:organisation")
    return render(request, "accounts/confirm_remove_member.html", {"target": target})


def _revoke(request: HttpRequest, invitation: Invitation, *, back: str) -> HttpResponse:
    if invitation.status() != "pending":
        messages.success(request, f"The invitation to {invitation.email} can no longer be used")
        return redirect(back)
    if request.method == "POST":
        try:
            services.invitation_revoke(invitation=invitation, actor=request.user)
        except services.InvitationNotPending:
            messages.success(request, f"The invitation to {invitation.email} can no longer be used")
        else:
            messages.success(request, f"The invitation to {invitation.email} has been cancelled")
        return redirect(back)
    return render(request, "accounts/confirm_revoke.html", {"invitation": invitation, "back": back})


# --- Staff -----------------------------------------------------------------------------------


def _staff_admin_or_403(request: HttpRequest) -> None:
    if not permissions.can_invite_staff(request.user):
        raise PermissionDenied


def staff(request: HttpRequest) -> HttpResponse:
    _staff_admin_or_403(request)
    return render(
        request,
        "accounts/staff.html",
        {"staff_roles": selectors.staff_roles_all(), "invitations": selectors.invitations_pending_for_staff()},
    )


@require_http_methods(["GET", "POST"])
def staff_invite(request: HttpRequest) -> HttpResponse:
    _staff_admin_or_403(request)
    form = InviteStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create_for_staff(
                invited_by=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                area=form.cleaned_data["area"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"We have sent an invitation to {invitation.email}")
            return redirect("accounts:staff")
    return _form_page(request, "accounts/staff_invite.html", form)


@require_http_methods(["GET", "POST"])
def staff_invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_admin_or_403(request)
    invitation = get_object_or_404(Invitation, pk=pk, organisation__isnull=True)
    return _revoke(request, invitation, back="accounts:staff")


@require_http_methods(["GET", "POST"])
def staff_role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _staff_admin_or_403(request)
    staff_role = get_object_or_404(StaffRole.objects.select_related("user", "area"), pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.staff_role_remove(staff_role=staff_role, actor=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, f"{staff_role.user.full_name or staff_role.user.email} is no longer {staff_role}")
            return redirect("accounts:staff")
    return render(
        request,
        "accounts/confirm_remove_role.html",
        {"staff_role": staff_role, "error": error, "page_has_errors": bool(error)},
        status=400 if error else 200,
    )


# --- Accepting an invitation -----------------------------------------------------------------


@login_not_required
@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    if invitation is None:
        return _unusable(request, "unknown")
    status = invitation.status()
    if status != "pending":
        return _unusable(request, status, invitation)

    existing = selectors.user_get_by_email(email=invitation.email)
    signed_in_as_invitee = request.user.is_authenticated and existing is not None and request.user.pk == existing.pk
    context = {"invitation": invitation, "existing": existing, "signed_in_as_invitee": signed_in_as_invitee}

    if existing is not None:
        # An account already has this address: that person accepts while signed in.
        if request.method == "POST" and signed_in_as_invitee:
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except (ValidationError, services.InvitationNotPending) as error:
                context["error"] = error.messages[0] if isinstance(error, ValidationError) else str(error)
                context["page_has_errors"] = True
                return render(request, "accounts/invitation_existing.html", context, status=400)
            messages.success(request, "You have accepted the invitation")
            return redirect("accounts:home")
        context["sign_in_url"] = reverse("accounts:sign-in") + "?" + urlencode({"next": request.path})
        return render(request, "accounts/invitation_existing.html", context)

    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
            )
        except services.InvitationNotPending as error:
            return _unusable(request, error.status, invitation)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.user.is_authenticated:
                logout(request)
            login(request, user, backend=BACKEND)
            messages.success(request, "Your account is ready. You are signed in")
            return redirect("accounts:home")
    return _form_page(request, "accounts/invitation_accept.html", form, **context)


# --- Second factor (staff) -------------------------------------------------------------------


def _next_or_home(request: HttpRequest, candidate: str | None) -> str:
    return _safe_next(request, candidate) or reverse(settings.LOGIN_REDIRECT_URL)


def _qr_code_data_uri(text: str) -> str:
    """The set-up link as a QR code: an SVG made here, shown as an image (no script, so the
    Content Security Policy stays strict)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2, dark="#0b0c0c", light="#ffffff")


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@second_factor_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password, staff give a code from their authenticator app (or a recovery code)."""
    user = request.user
    if not permissions.needs_second_factor(user) or user.is_verified():
        return redirect(_next_or_home(request, request.GET.get("next")))
    if not permissions.has_second_factor(user):
        return redirect(
            reverse("accounts:second-factor-set-up") + "?" + urlencode({"next": request.GET.get("next", "")})
        )
    if request.method == "POST":
        form = SecondFactorForm(request.POST)
        if form.is_valid():
            if services.second_factor_verify(request=request, code=form.cleaned_data["code"]):
                return redirect(_next_or_home(request, form.cleaned_data["next"]))
            form.add_error("code", SECOND_FACTOR_WRONG)
    else:
        form = SecondFactorForm(initial={"next": _safe_next(request, request.GET.get("next")) or ""})
    return _form_page(request, "accounts/second_factor.html", form)


@second_factor_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then give a code it makes."""
    user = request.user
    if not permissions.needs_second_factor(user) or permissions.has_second_factor(user):
        return redirect(_next_or_home(request, request.GET.get("next")))
    device = services.second_factor_set_up_start(user=user)
    if request.method == "POST":
        form = SecondFactorSetUpForm(request.POST)
        if form.is_valid():
            try:
                codes = services.second_factor_set_up(user=user, code=form.cleaned_data["code"], request=request)
            except ValidationError as error:
                form.add_error("code", error.messages[0])
            else:
                # Shown now and never again: this response is not kept (never_cache) or stored.
                return render(
                    request,
                    "accounts/second_factor_recovery_codes.html",
                    {"codes": codes, "next_url": _next_or_home(request, form.cleaned_data["next"])},
                )
    else:
        form = SecondFactorSetUpForm(initial={"next": _safe_next(request, request.GET.get("next")) or ""})
    secret = base64.b32encode(device.bin_key).decode()
    return _form_page(
        request,
        "accounts/second_factor_set_up.html",
        form,
        qr_code=_qr_code_data_uri(device.config_url),
        secret=_grouped(secret),
    )


@require_http_methods(["GET", "POST"])
def staff_second_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator takes away a colleague's app and recovery codes (a lost phone)."""
    _staff_admin_or_403(request)
    target = get_object_or_404(User, pk=pk, is_active=True)
    if not permissions.can_reset_second_factor(request.user, target):
        raise Http404
    if request.method == "POST":
        services.second_factor_reset(user=target, actor=request.user)
        messages.success(
            request,
            f"{target.full_name or target.email} will set up a new authenticator app the next time they sign in",
        )
        return redirect("accounts:staff")
    return render(
        request,
        "accounts/confirm_reset_second_factor.html",
        {"target": target, "has_second_factor": permissions.has_second_factor(target)},
    )
