"""Every URL pattern of the project is requested by at least one test.

`RouteRecorderMiddleware` (last in the test settings' MIDDLEWARE) notes the route of each request whose
view is about to run: one refused by an earlier middleware (the sign-in redirect, a CSRF failure) has
not reached its page. Test-client requests and the live server's (a thread of the same process) both
pass through it. `tests.guards` gathers the routes from every pytest-xdist worker and fails a run of
the whole suite that left a route of the URLconf unrequested.
"""

from __future__ import annotations

import threading

from django.urls import URLPattern, URLResolver, get_resolver

# Routes deliberately left out, each with the reason. A prefix ends with "/" and covers what is under it.
EXCLUDED = {
    "admin/": "Django's own admin site: the project only registers models and permission hooks, tested in "
    "accounts/tests/test_admin.py and reference/tests/test_admin.py; its many internal pages are Django's",
}

_reached: set[str] = set()
_lock = threading.Lock()


class RouteRecorderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.route is not None:
            with _lock:
                _reached.add(match.route)


def reached_routes() -> set[str]:
    with _lock:
        return set(_reached)


def _join(prefix: str, route: str) -> str:
    # As django.urls.resolvers.URLResolver joins them into ResolverMatch.route.
    return prefix + route.removeprefix("^") if prefix else route


def project_routes(urlconf=None) -> set[str]:
    """The route of every URL pattern in the URLconf, as `ResolverMatch.route` spells it."""
    routes: set[str] = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, _join(prefix, str(pattern.pattern)))
            elif isinstance(pattern, URLPattern):
                routes.add(_join(prefix, str(pattern.pattern)))

    walk(get_resolver(urlconf).url_patterns, "")
    return routes


def is_excluded(route: str, excluded=EXCLUDED) -> bool:
    return any(route == rule or (rule.endswith("/") and route.startswith(rule)) for rule in excluded)


def unreached(routes: set[str], reached: set[str], excluded=EXCLUDED) -> list[str]:
    """The routes no test requested, excluding the deliberate exclusions."""
    return sorted(route for route in routes - reached if not is_excluded(route, excluded))


def merge(*parts) -> set[str]:
    """The routes reached by any process (the controller and each xdist worker)."""
    merged: set[str] = set()
    for part in parts:
        merged.update(part or ())
    return merged


def is_whole_suite(config) -> bool:
    """True when no subset was chosen: no paths or node ids, -k, -m, --lf/--ff/--sw, --deselect or --ignore."""
    option = config.option
    if getattr(option, "keyword", "") or getattr(option, "markexpr", ""):
        return False
    if any(getattr(option, name, False) for name in ("lf", "failedfirst", "stepwise", "deselect", "collectonly")):
        return False
    if getattr(option, "ignore", None) or getattr(option, "ignore_glob", None):
        return False
    return config.args_source == config.ArgsSource.TESTPATHS
