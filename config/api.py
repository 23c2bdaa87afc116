"""The JSON API under /api/v1/. Each app contributes a router from its api.py."""

from django.conf import settings
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override
from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.security import django_auth

from core.api import document_errors, install_error_handlers


class _SwaggerWithOwnAssets(Swagger):
    """Swagger UI from ninja's bundled static files; it needs inline styles, so this page alone allows them."""

    def render_page(self, request, api, **kwargs):
        return csp_override({**settings.SECURE_CSP, "style-src": [CSP.SELF, CSP.UNSAFE_INLINE]})(
            lambda r: super(_SwaggerWithOwnAssets, self).render_page(r, api, **kwargs)
        )(request)


class _Api(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return document_errors(super().get_openapi_schema(*args, **kwargs))


api = _Api(
    title="Commission probation services API",
    version="1",
    description=(
        "Open data about the Probation Services Dynamic Framework: reference data, qualified "
        "organisations, opportunities and contracts. Public endpoints need no sign-in. Every error has the "
        'body `{"detail": "...", "errors": [{"parameter": "...", "message": "..."}]}`: 400 for a parameter '
        "that is malformed or out of range (each number states its minimum and maximum), 404 for something "
        "that does not exist."
    ),
    urls_namespace="api",
    docs=_SwaggerWithOwnAssets(),
    # Deny by default: an endpoint is public only if it says auth=None.
    auth=django_auth,
)
install_error_handlers(api)

from audit.api import router as audit_router  # noqa: E402
from reference.api import router as reference_router  # noqa: E402

api.add_router("/audit/", audit_router)

api.add_router("/reference/", reference_router)

from qualification.api import router as qualification_router  # noqa: E402

api.add_router("/", qualification_router)

from opendata.api import router as opendata_router  # noqa: E402

api.add_router("/ocds/", opendata_router)

from insights.api import router as insights_router  # noqa: E402
from publicdata.api import router as publicdata_router  # noqa: E402

api.add_router("/insights/", insights_router)
api.add_router("/public/", publicdata_router)

from contracts.api import router as contracts_router  # noqa: E402

api.add_router("/contracts/", contracts_router)
