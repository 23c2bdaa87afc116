"""Changing reference data through reference.services: paths follow parents, codes never change."""

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEvent
from audit.selectors import first_chain_problem
from reference.models import Area, ServiceCategory, ServiceType
from reference.selectors import descendants
from reference.services import area_save, service_category_save, service_type_save

pytestmark = pytest.mark.django_db


def test_moving_an_area_moves_everything_inside_it_and_audits_each_move():
    kent = Area.objects.get(code="E23000032")
    inside = descendants(kent).count()
    kent.parent = Area.objects.get(code="H")
    area_save(actor=None, area=kent)
    kent.refresh_from_db()
    assert kent.path == "K04000001/H/E23000032/"
    assert Area.objects.get(code="E07000110").path == "K04000001/H/E23000032/E07000110/"
    assert descendants(kent).count() == inside
    assert not descendants(Area.objects.get(code="K")).filter(code="E07000110").exists()
    assert AuditEvent.objects.filter(action="area.move").count() == inside
    event = AuditEvent.objects.get(action="area.update")
    assert (event.before["parent_id"], event.after["parent_id"]) == (Area.objects.get(code="K").pk, kent.parent_id)
    assert first_chain_problem() is None


@pytest.mark.parametrize(
    ("level", "parent_code"),
    [("local_authority", "K"), ("pcc_area", "E23000032"), ("region", None), ("country", "K04000001")],
)
def test_an_area_must_sit_directly_under_an_area_one_level_up(level, parent_code):
    parent = Area.objects.get(code=parent_code) if parent_code else None
    with pytest.raises(ValidationError):
        area_save(actor=None, area=Area(code="X1", name="Nowhere", level=level, parent=parent))
    assert not Area.objects.filter(code="X1").exists()
    assert not AuditEvent.objects.exists()


def test_codes_cannot_be_changed():
    category = ServiceCategory.objects.get(code="women")
    category.code = "girls"
    with pytest.raises(ValidationError):
        service_category_save(actor=None, category=category)
    service_type = ServiceType.objects.get(code="ete")
    service_type.code = "jobs"
    with pytest.raises(ValidationError):
        service_type_save(actor=None, service_type=service_type)
    area = Area.objects.get(code="K")
    area.code = "Z"
    with pytest.raises(ValidationError):
        area_save(actor=None, area=area)
    assert not AuditEvent.objects.exists()
