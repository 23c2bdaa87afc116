"""The Jinja2 environment for service pages.

GOV.UK markup comes from the govuk-frontend-jinja macros, imported as
"govuk_frontend_jinja/components/<name>/macro.html".
"""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from core import formatting
from core.forms import error_summary_items, field_params


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def _fixed(env: Environment):
    """`fixed(name)`: a part of every page that is the same on every page (core/layout_fixed/: the
    skip link and header, the phase banner, the footer), rendered once per process and kept, so
    each page renders only what is its own (the GOV.UK macros for these cost about 0.8 ms a page).
    Kept per script prefix (the links in them start with it); rendered afresh each time when
    templates are reloaded as they change (DEBUG)."""
    kept: dict[tuple[str, str], Markup] = {}

    def fixed(name: str) -> Markup:
        key = (name, get_script_prefix())
        html = None if env.auto_reload else kept.get(key)
        if html is None:
            html = Markup(env.get_template(f"core/layout_fixed/{name}.html").render())  # noqa: S704 - our own template's output, escaped by it
            kept[key] = html
        return html

    return fixed


def environment(**options) -> Environment:
    loader = options.pop("loader")
    options.pop("autoescape", None)
    env = Environment(
        autoescape=True,
        loader=ChoiceLoader(
            [
                loader,
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
            ]
        ),
        extensions=["jinja2.ext.do"],
        **options,
    )
    env.globals.update(
        {
            "static": static,
            "url": url,
            "now": timezone.now,
            "get_messages": get_messages,
            "field_params": field_params,
            "error_summary_items": error_summary_items,
        }
    )
    env.globals["fixed"] = _fixed(env)
    env.filters.update(
        {
            "money": formatting.money,
            "london_date": formatting.london_date,
            "london_datetime": formatting.london_datetime,
        }
    )
    return env
