"""The access log: one line per request, JSON in production, with the request id and no secrets."""

import io
import json
import logging.config

import pytest

from config.settings.base import logging_config
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_log(settings):
    """Everything the service logs, as production's LOG_FORMAT=json writes it."""
    stream = io.StringIO()
    config = logging_config("json")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_request_writes_one_json_line_with_its_request_id_and_the_person_by_id_only(client, json_log):
    user = make_provider_user(email="someone.private@example.org")
    client.force_login(user)
    response = client.get("/account/?token=secret-reset-token&next=/x")

    [line] = _lines(json_log)
    assert line["logger"] == "core.access"
    assert line["method"] == "GET"
    assert line["path"] == "/account/"
    assert line["status"] == response.status_code
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"]
    assert line["user_id"] == user.pk
    text = json_log.getvalue()
    assert "secret-reset-token" not in text and "someone.private" not in text


def test_a_page_not_found_is_still_one_line_and_someone_signed_out_has_no_id(client, json_log):
    response = client.get("/no-such-page/")
    [line] = _lines(json_log)
    assert response.status_code == 404
    assert (line["path"], line["status"], line["user_id"]) == ("/no-such-page/", 404, None)


def test_a_static_file_and_a_redirect_are_logged_too(client, json_log):
    client.get("/assets/govuk/govuk-frontend.min.css")
    client.get("/account/")  # signed out: sent to sign in
    lines = _lines(json_log)
    assert [(line["path"], line["status"]) for line in lines] == [
        ("/assets/govuk/govuk-frontend.min.css", 200),
        ("/account/", 302),
    ]
    assert lines[0]["request_id"] != lines[1]["request_id"]


def test_plain_logs_for_a_developer_carry_the_request_id_too():
    config = logging_config("plain")
    assert "%(request_id)s" in config["formatters"]["plain"]["format"]
    with pytest.raises(Exception, match="LOG_FORMAT"):
        logging_config("xml")
