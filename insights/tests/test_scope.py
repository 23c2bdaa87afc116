"""The area filter of every insight, in SQL (`overlap_q`) and in memory (`overlaps`): the two must
say the same of every area, for an area at each level and for no area at all."""

import pytest

from insights.scope import overlap_q, overlaps
from reference.models import Area, AreaLevel

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("level", [None, AreaLevel.COUNTRY, AreaLevel.REGION, AreaLevel.PCC_AREA])
def test_overlaps_says_of_each_area_what_overlap_q_selects(level):
    chosen = None if level is None else Area.objects.filter(level=level).order_by("path").last()
    every = list(Area.objects.values_list("path", flat=True))
    selected = set(Area.objects.filter(overlap_q("path", chosen)).values_list("path", flat=True))
    assert {path for path in every if overlaps(path, chosen)} == selected
    # Neither everything nor nothing, unless no area is chosen: the comparison tells areas apart.
    assert selected == set(every) if chosen is None or level == AreaLevel.COUNTRY else 0 < len(selected) < len(every)
