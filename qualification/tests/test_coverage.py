import pytest

from qualification.selectors.coverage import coverage_sentences, minimal_areas
from reference.models import Area, ServiceCategory

pytestmark = pytest.mark.django_db


def test_region_covers_its_pcc_areas_and_sentence_reads_plainly():
    kss = Area.objects.get(code="K")
    kent = Area.objects.get(name="Kent", level="pcc_area")
    cardiff = Area.objects.get(code="W06000015")
    accommodation = ServiceCategory.objects.get(code="accommodation")
    # Kent is inside the region, so it adds nothing.
    assert set(minimal_areas([kss, kent, cardiff])) == {kss, cardiff}
    sentences = coverage_sentences([(accommodation, kss), (accommodation, kent), (accommodation, cardiff)])
    assert sentences == ["You can deliver Accommodation across Kent, Surrey and Sussex and in Cardiff."]


def test_categories_with_the_same_areas_share_a_sentence_and_country_reads_as_all():
    country = Area.objects.get(level="country")
    ete = ServiceCategory.objects.get(code="ete")
    debt = ServiceCategory.objects.get(code="finance-benefit-debt")
    assert coverage_sentences([(debt, country), (ete, country)]) == [
        "You can deliver Education, Training and Employment and Finance, Benefit and Debt across all of England and Wales."
    ]
