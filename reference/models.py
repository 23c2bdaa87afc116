from django.db import models


class AreaLevel(models.TextChoices):
    COUNTRY = "country", "Country"
    REGION = "region", "Probation region"
    PCC_AREA = "pcc_area", "Police and crime commissioner area"
    LOCAL_AUTHORITY = "local_authority", "Local authority"


LEVEL_DEPTH = {
    AreaLevel.COUNTRY: 0,
    AreaLevel.REGION: 1,
    AreaLevel.PCC_AREA: 2,
    AreaLevel.LOCAL_AUTHORITY: 3,
}


class Area(models.Model):
    """Where a service is delivered: England and Wales → region → PCC area → local authority.

    `path` holds the codes from the root down ("K04000001/K/E23000032/E07000105/") so that
    "this area or any of its ancestors/descendants" is one indexed prefix comparison.
    """

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=20, choices=AreaLevel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=100, unique=True, editable=False)

    class Meta:
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "name"], name="area_level_name_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="country", parent__isnull=True)
                | (~models.Q(level="country") & models.Q(parent__isnull=False)),
                name="area_only_country_has_no_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        return self.path.strip("/").split("/")


class CategoryKind(models.TextChoices):
    NEED = "need", "Need"
    COHORT = "cohort", "Group of people"


class ServiceCategory(models.Model):
    """A need (accommodation, debt…) or a cohort (women, young adults…) an organisation can serve."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=CategoryKind.choices)
    description = models.TextField(blank=True)
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]
        verbose_name_plural = "service categories"

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    """What a call-off competition buys: a set of categories delivered together."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    categories = models.ManyToManyField(ServiceCategory, related_name="service_types")
    # Required on day one because courts order it (a Rehabilitation Activity Requirement).
    required_by_court_orders = models.BooleanField(default=False)
    # Set when the type is bought for one part of the country only, e.g. Young Adults (Wales).
    restricted_to = models.ForeignKey(Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    display_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["display_order", "name"]

    def __str__(self) -> str:
        return self.name
