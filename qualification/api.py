"""Open data about qualified organisations: GET /api/v1/suppliers. Organisation facts only."""

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from accounts.models import Organisation
from core.api import BoundedLimitOffsetPagination, Code, bad_parameter
from core.pagecache import keep_public
from qualification.selectors.register import RegisterPage, register_organisations
from reference.models import Area, ServiceCategory

router = Router(tags=["Qualified organisations"])


class QualificationOut(Schema):
    category: str = Field(..., description="The type of support's code, e.g. accommodation")
    area: str = Field(..., description="The area's code (ONS code, or region letter)")


class SupplierOut(Schema):
    id: int
    name: str
    legal_name: str
    organisation_type: str
    size: str
    is_vcse: bool
    town: str
    qualifications: list[QualificationOut]

    @staticmethod
    def resolve_name(obj: Organisation) -> str:
        return obj.display_name

    @staticmethod
    def resolve_qualifications(obj: Organisation) -> list[dict[str, str]]:
        return obj.qualification_codes


@router.get(
    "/suppliers",
    response=list[SupplierOut],
    auth=None,
    summary="Qualified organisations",
    description=(
        "Organisations that can bid for work under the framework, with what they can bid for. "
        "With `category` and `area`, only those qualified for that type of support in that area "
        "(qualified in the area itself or an area that includes it)."
    ),
)
@decorate_view(keep_public)
@paginate(BoundedLimitOffsetPagination)
def suppliers(request: HttpRequest, category: Code | None = None, area: Code | None = None):
    chosen_category = None
    chosen_area = None
    if category:
        chosen_category = ServiceCategory.objects.filter(code=category).first()
        if chosen_category is None:
            raise bad_parameter("category", f"There is no type of support with the code '{category}'.")
    if area:
        chosen_area = Area.objects.filter(code=area).first()
        if chosen_area is None:
            raise bad_parameter("area", f"There is no area with the code '{area}'.")
    return RegisterPage(register_organisations(category=chosen_category, area=chosen_area))
