"""The Jinja2 environment for service pages.

GOV.UK markup comes from the govuk-frontend-jinja macros, imported as
"govuk_frontend_jinja/components/<name>/macro.html".
"""

from django.contrib.messages import get_messages
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from core import formatting
from core.forms import error_summary_items, field_params


def url(name: str, *args, **kwargs) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


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
    env.filters.update(
        {
            "money": formatting.money,
            "london_date": formatting.london_date,
            "london_datetime": formatting.london_datetime,
        }
    )
    return env
