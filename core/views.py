"""Public information pages and the error pages. Each view here is deliberately public."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core import health
from core.glossary import GLOSSARY

logger = logging.getLogger(__name__)


@login_not_required
def start(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/start.html")


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/accessibility.html")


@login_not_required
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/privacy.html")


@login_not_required
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/cookies.html")


@login_not_required
def glossary(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/glossary.html", {"terms": GLOSSARY})


@login_not_required
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/help.html")


@login_not_required
def feedback(request: HttpRequest) -> HttpResponse:
    return render(request, "core/pages/feedback.html")


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the process answers. It asks nothing of the database, so a database outage never has
    a supervisor restart every web server; /readyz says whether to send this one traffic."""
    return JsonResponse({"status": "ok"})


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = health.readiness()
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/errors/403.html", status=403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "core/errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Render without the request: whatever broke (the database, the session) must not break this page too.
    try:
        return HttpResponseServerError(loader.render_to_string("core/errors/500.html", {"request": None}))
    except Exception:  # noqa: BLE001 - last resort; the original error is already logged
        logger.exception("The 500 page itself failed to render")
        return HttpResponseServerError(
            "<h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>", content_type="text/html"
        )
