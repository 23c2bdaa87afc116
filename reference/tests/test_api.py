"""The public reference data API: /api/v1/reference/areas and /api/v1/reference/categories."""

import json
import re

import pytest

from tests.fixtures import ALL_ROLES

pytestmark = pytest.mark.django_db

AREAS = "/api/v1/reference/areas"
CATEGORIES = "/api/v1/reference/categories"


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("path", [AREAS, CATEGORIES])
def test_anyone_may_read_reference_data(client_for_role, role, path):
    client, _ = client_for_role(role)
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


def test_areas_lists_the_whole_tree_with_parent_codes(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get(AREAS)
    areas = response.json()
    assert len(areas) == 373
    assert areas[0] == {"code": "K04000001", "name": "England and Wales", "level": "country", "parent": None}
    by_code = {a["code"]: a for a in areas}
    assert by_code["K"] == {"code": "K", "name": "Kent, Surrey and Sussex", "level": "region", "parent": "K04000001"}
    assert by_code["E23000032"] == {"code": "E23000032", "name": "Kent", "level": "pcc_area", "parent": "K"}
    assert by_code["E07000110"]["parent"] == "E23000032"


def test_areas_filtered_by_level(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        regions = client.get(AREAS, {"level": "region"}).json()
    assert [r["code"] for r in regions] == list("ABCDEFGHIJKL")
    assert {r["parent"] for r in regions} == {"K04000001"}


def test_areas_filtered_by_parent(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        areas = client.get(AREAS, {"parent": "K"}).json()
    assert {a["name"] for a in areas} == {"Kent", "Surrey", "Sussex"}
    assert {a["parent"] for a in areas} == {"K"}


def test_areas_filtered_by_level_and_parent(client):
    assert client.get(AREAS, {"level": "region", "parent": "K"}).json() == []
    welsh = client.get(AREAS, {"level": "pcc_area", "parent": "D"}).json()
    assert {a["name"] for a in welsh} == {"Dyfed-Powys", "Gwent", "North Wales", "South Wales"}


def test_unknown_parent_and_unknown_level_are_refused_naming_the_parameter(client):
    response = client.get(AREAS, {"parent": "ZZZ"})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "parent: No area has the code ZZZ",
        "errors": [{"parameter": "parent", "message": "No area has the code ZZZ"}],
    }
    response = client.get(AREAS, {"level": "planet"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["parameter"] == "level"


def test_categories_and_service_types(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(CATEGORIES)
    data = response.json()
    assert len(data["categories"]) == 14
    assert data["categories"][0] == {
        "code": "accommodation",
        "name": "Accommodation",
        "kind": "need",
        "description": "Finding and keeping somewhere safe to live.",
    }
    assert {c["code"] for c in data["categories"] if c["kind"] == "cohort"} == {"women", "young-adults", "bame"}
    types = {t["code"]: t for t in data["service_types"]}
    assert len(types) == 7
    assert types["personal-wellbeing"] == {
        "code": "personal-wellbeing",
        "name": "Personal Wellbeing",
        "categories": ["family", "lifestyle", "emotional-wellbeing", "social-inclusion"],
        "required_by_court_orders": True,
        "restricted_to": None,
    }
    assert types["young-adults-wales"]["restricted_to"] == "D"
    assert types["finance-benefit-debt"]["required_by_court_orders"] is False


def test_reference_endpoints_are_public_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (AREAS, CATEGORIES):
        operation = schema["paths"][path]["get"]
        assert "security" not in operation  # auth=None: no sign-in
        assert operation["tags"] == ["Reference data"]
    parameters = {p["name"] for p in schema["paths"][AREAS]["get"]["parameters"]}
    assert parameters == {"level", "parent"}


def test_api_docs_page_loads_without_any_external_host(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    hosts = set(re.findall(r"(?:src|href)=[\"']((?:https?:)?//[^\"'/]+)", html))
    assert hosts == set(), hosts
    # Its own assets are served from here.
    for asset in re.findall(r"(?:src|href)=[\"'](/[^\"']+)[\"']", html):
        assert client.get(asset).status_code == 200, asset
    csp = response["Content-Security-Policy"]
    assert "https:" not in csp and "http:" not in csp
    json.loads(client.get("/api/v1/openapi.json").content)
