import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency
from agencies.services import agency_save, agency_tree_load, agency_tree_load_file

pytestmark = pytest.mark.django_db


def test_bengkulu_tree_has_the_province_and_its_ten_regencies_and_city():
    agency_tree_load_file()
    province = Agency.objects.get(code="17")
    regional = Agency.objects.regional_governments().filter(parent=province)
    assert regional.count() == 10
    assert set(regional.values_list("code", flat=True)) == {
        "17.01", "17.02", "17.03", "17.04", "17.05", "17.06", "17.07", "17.08", "17.09", "17.71",
    }
    assert Agency.objects.get(code="17.71").kind == Agency.Kind.CITY
    assert Agency.objects.get(code="17.02").short_name == "Rejang Lebong"
    assert Agency.objects.get(code="17.02.01").path == "17/17.02/17.02.01/"


def test_loading_the_tree_twice_changes_nothing():
    assert agency_tree_load_file() == (17, 0)
    paths = dict(Agency.objects.values_list("code", "path"))
    assert agency_tree_load_file() == (0, 0)
    assert dict(Agency.objects.values_list("code", "path")) == paths


def test_a_record_with_an_unknown_parent_is_refused_and_nothing_is_written():
    records = [
        {"code": "18", "name": "Provinsi Uji", "short_name": "Uji", "kind": "province", "parent": None},
        {"code": "18.01", "name": "Kabupaten Uji", "short_name": "Uji", "kind": "regency", "parent": "19"},
    ]
    with pytest.raises(ValidationError, match=r"18\.01.*19"):
        agency_tree_load(records=records)
    assert not Agency.objects.exists()


def test_a_regency_cannot_be_placed_under_another_regency(bengkulu):
    agency = Agency(code="17.10", name="Kabupaten Baru", short_name="Baru", kind=Agency.Kind.REGENCY, parent=bengkulu["17.02"])
    with pytest.raises(ValidationError):
        agency_save(agency=agency)
    assert not Agency.objects.filter(code="17.10").exists()


def test_an_agency_cannot_be_placed_under_its_own_unit(bengkulu):
    unit = bengkulu["17.02.01"]
    unit.kind = Agency.Kind.UNIT
    regency = bengkulu["17.02"]
    regency.kind = Agency.Kind.UNIT
    regency.parent = unit
    with pytest.raises(ValidationError):
        agency_save(agency=regency)


def test_correcting_a_regency_code_moves_the_paths_of_its_units(bengkulu):
    regency = bengkulu["17.02"]
    regency.code = "17.12"
    agency_save(agency=regency)
    assert Agency.objects.get(code="17.02.01").path == "17/17.12/17.02.01/"
    assert Agency.objects.get(code="17.02.02").path == "17/17.12/17.02.02/"
    assert Agency.objects.get(code="17.08.01").path == "17/17.08/17.08.01/"
