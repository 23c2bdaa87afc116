"""What every API endpoint shares: bounded parameters and one body for every error.

Every error the API answers has the body {"detail": "<one sentence>", "errors": [{"parameter":
"<name>", "message": "<what is wrong>"}]}: a bad query parameter is a 400 naming it, a bad path
parameter or something that does not exist is a 404, and other refusals keep their status with
an empty `errors` list.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import HttpError, ValidationError
from ninja.pagination import LimitOffsetPagination
from pydantic import StringConstraints

MAX_LIMIT = 100
MAX_OFFSET = 1_000_000
MAX_PAGE = 10_000
MAX_TEXT_LENGTH = 100

# A code of ours (an area's ONS code or region letter, a category or service type slug). Codes are
# short slugs, so a NUL character (which PostgreSQL refuses in text) or a long string is refused here.
Code = Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
# Free text in a query parameter, e.g. part of a name: any characters except NUL, within a limit.
Text = Annotated[str, StringConstraints(max_length=MAX_TEXT_LENGTH, pattern=r"^[^\x00]*$")]


def Page(description: str = "Page number, from 1"):  # noqa: N802 - reads like the type it makes
    return Field(1, ge=1, le=MAX_PAGE, description=f"{description}, at most {MAX_PAGE:,}")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """Limit and offset with stated bounds: no database is asked for an offset it cannot hold."""

    class Input(Schema):
        limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description=f"How many items, 1 to {MAX_LIMIT}")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description=f"How many items to skip, 0 to {MAX_OFFSET:,}")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)


def bad_parameter(name: str, message: str) -> ValidationError:
    """The error to raise for a query parameter whose value is wrong for a reason only the endpoint knows."""
    return ValidationError([{"loc": ("query", name), "msg": message, "type": "value_error"}])


def bad_form(form) -> ValidationError:
    """The error to raise for every field of a (filter) form that refused its query parameter."""
    return ValidationError(
        [
            {"loc": ("query", name), "msg": str(message), "type": "value_error"}
            for name, messages in form.errors.items()
            for message in messages
        ]
    )


def _message(error: dict[str, Any]) -> str:
    kind, context = error.get("type", ""), error.get("ctx") or {}
    if kind in ("int_parsing", "int_parsing_size", "int_from_float", "int_type"):
        return "must be a whole number"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be {context.get('ge', context.get('gt'))} or more"
    if kind in ("less_than_equal", "less_than"):
        return f"must be {context.get('le', context.get('lt'))} or less"
    if kind == "string_too_long":
        return f"must be {context.get('max_length')} characters or fewer"
    if kind == "string_pattern_mismatch":
        return "has characters that are not allowed"
    if kind == "enum":
        return f"must be one of {context.get('expected')}"
    if kind.startswith(("date", "datetime")):
        return "must be a real date, like 2027-04-01"
    if kind == "missing":
        return "is needed"
    return str(error.get("msg", "is not valid"))


def error_body(detail: str, errors=()) -> dict[str, Any]:
    return {"detail": detail, "errors": list(errors)}


def error_response(api: NinjaAPI, request: HttpRequest, *, status: int, detail: str, errors=()) -> HttpResponse:
    return api.create_response(request, error_body(detail, errors), status=status)


def install_error_handlers(api: NinjaAPI) -> None:
    """Give every error of `api` the one body described above."""

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if any(tuple(error.get("loc", ()))[:1] == ("path",) for error in exc.errors):
            return error_response(api, request, status=404, detail="Not found")
        errors = []
        for error in exc.errors:
            location = tuple(error.get("loc", ()))
            name = str(location[-1]) if location else ""
            errors.append({"parameter": name, "message": _message(error)})
        detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors)
        return error_response(api, request, status=400, detail=detail, errors=errors)

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error_response(api, request, status=404, detail=str(exc) or "Not found")

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error_response(api, request, status=exc.status_code, detail=str(exc))

    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(HttpError, http_error)


# --- The errors in the OpenAPI document ----------------------------------------------------------

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "title": "Detail"},
        "errors": {
            "type": "array",
            "title": "Errors",
            "items": {
                "type": "object",
                "properties": {"parameter": {"type": "string"}, "message": {"type": "string"}},
                "required": ["parameter", "message"],
            },
        },
    },
    "required": ["detail", "errors"],
}


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the errors every operation can give to the OpenAPI document, so that clients (and
    tests/test_api_schemathesis.py) know them: 400 where an operation reads a query parameter,
    404 where it has a path parameter (the handlers above write them)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            places = {parameter.get("in") for parameter in operation.get("parameters", [])}
            responses = operation.setdefault("responses", {})
            if "query" in places:
                responses.setdefault("400", _error("A parameter is malformed or out of range"))
            if "path" in places:
                responses.setdefault("404", _error("Not found"))
    return schema
