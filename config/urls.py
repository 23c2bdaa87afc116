from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path, reverse

from config.api import api

admin.site.site_header = "Commission probation services: administration"
admin.site.site_title = "Administration"


@login_not_required
def _admin_sign_in(request, extra_context=None):
    """The admin's own sign-in form would skip the service's (its audit, its second factor page):
    send people to the service's instead."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))


admin.site.login = _admin_sign_in


def _public(patterns):
    """The API's own auth decides access (deny by default there), not the sign-in redirect."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _public(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


api_urls, app_name, namespace = api.urls
urlpatterns = [
    path("", include("core.urls")),
    path("account/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("join/", include("qualification.urls")),
    path("opportunities/", include("competitions.urls")),
    path("contracts/", include("contracts.urls")),
    path("referrals/", include("referrals.urls")),
    path("provider/referrals/", include("referrals.urls_provider")),
    path("volumes/", include("volumes.urls")),
    path("open-data/", include("opendata.urls")),
    path("insights/", include("insights.urls")),
    path("public/", include("publicdata.urls")),
    path("api/v1/", (_public(api_urls), app_name, namespace)),
    path("admin/", admin.site.urls),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
