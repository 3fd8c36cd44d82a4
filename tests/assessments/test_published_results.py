import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from assessments.models import PublishedResult
from assessments.published_results import PublishedResultsError, read_table, validate_rows
from assessments.services import published_results_save

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def rows_of(text, name="results.csv"):
    return validate_rows(read_table(text.encode("utf-8"), name))


def problems_of(text, name="results.csv"):
    with pytest.raises(PublishedResultsError) as caught:
        rows_of(text, name)
    return [str(problem) for problem in caught.value.problems]


def test_the_2023_results_of_the_reference_import_as_demo_data(frameworks, bengkulu):
    from assessments.demo import published_results_load

    assert published_results_load() == 13
    rejang_lebong = PublishedResult.objects.get(agency__code="17.02", year=2023)
    assert rejang_lebong.index == Decimal("3.23") and rejang_lebong.predicate == "Baik"
    assert PublishedResult.objects.get(agency__code="17.07", year=2022).predicate == "Kurang"
    assert PublishedResult.objects.get(agency__code="17", year=2024).predicate == "Sangat Baik"
    assert PublishedResult.objects.filter(year=2023).count() == 11


def test_a_bad_file_reports_each_fault_by_row_and_column_and_writes_nothing(frameworks, bengkulu):
    PublishedResult.objects.create(agency=bengkulu["17.08"], year=2023, index=Decimal("2.28"), framework_version=frameworks["PERMENPANRB-59-2020"])
    text = (
        "agency_code,year,index\n"
        "17.02,2023,3.23\n"
        "99.99,2023,2.00\n"
        "17.04,2023,5.40\n"
        "17.02,2023,3.10\n"
        "17.08,2023,2.28\n"
        "17.05,dua ribu,2.54\n"
    )
    assert problems_of(text) == [
        "row 3, column agency_code: unknown agency code '99.99'",
        "row 4, column index: 5.40 is outside the scale 1–5",
        "row 5, column year: 17.02 2023 appears twice (also row 2)",
        "row 6, column year: 17.08 already has a published result for 2023",
        "row 7, column year: not a year: 'dua ribu'",
    ]
    assert PublishedResult.objects.count() == 1


def test_indonesian_headers_semicolons_and_decimal_commas_are_understood(frameworks, bengkulu):
    rows = rows_of("kode_instansi;tahun;indeks;sumber\n17.02;2023;3,23;KepmenPANRB 13/2024\n")
    assert [(r.agency.code, r.year, r.index, r.source) for r in rows] == [("17.02", 2023, Decimal("3.23"), "KepmenPANRB 13/2024")]


def test_per_indicator_levels_are_checked_against_the_years_framework(frameworks, bengkulu):
    rows = rows_of("agency_code,year,index,1,47\n17.02,2023,3.23,3,4\n")
    assert rows[0].levels == {"1": 3, "47": 4}
    assert problems_of("agency_code,year,index,1,I9\n17.02,2023,3.23,6,2\n") == [
        "row 2, column 1: level must be a whole number in the scale, not '6'",
        "row 2, column I9: not an indicator code of Evaluasi SPBE (PermenPANRB 59/2020)",
    ]


def test_a_year_no_framework_covers_is_refused(frameworks, bengkulu):
    assert problems_of("agency_code,year,index\n17.02,2019,2.00\n") == ["row 2, column year: no loaded framework covers 2019"]


def test_a_missing_column_is_named(frameworks):
    assert problems_of("agency_code,year\n17.02,2023\n") == ["row 1, column index: missing column"]


def test_excel_files_import_too(frameworks, bengkulu):
    workbook = Workbook()
    workbook.active.append(["agency_code", "year", "index"])
    workbook.active.append(["17.07", 2023, 2.93])
    stream = io.BytesIO()
    workbook.save(stream)
    rows = validate_rows(read_table(stream.getvalue(), "hasil.xlsx"))
    published_results_save(rows=rows)
    assert PublishedResult.objects.get().index == Decimal("2.93")


def test_import_command_is_all_or_nothing(frameworks, bengkulu, tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("agency_code,year,index\n17.01,2023,2.45\n17.03,2023,2.90\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("agency_code,year,index\n17.04,2023,2.24\n17.99,2023,2.00\n", encoding="utf-8")
    call_command("import_published_results", str(good))
    with pytest.raises(CommandError, match="row 3, column agency_code"):
        call_command("import_published_results", str(bad))
    assert sorted(PublishedResult.objects.values_list("agency__code", flat=True)) == ["17.01", "17.03"]


def test_administrator_imports_in_the_admin(client_of, administrator, frameworks):
    client = client_of(administrator)
    client.cookies["django_language"] = "en"
    url = reverse("admin:assessments_publishedresult_upload")
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", b"agency_code,year,index\n17.02,2023,7\n")})
    assert "row 2, column index: 7 is outside the scale 1–5" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", b"agency_code,year,index\n17.02,2023,3.23\n")})
    assert response.status_code == 302
    assert PublishedResult.objects.get().imported_by == administrator


def test_national_results_page_shows_only_the_officers_regency(client_of, kepahiang_officer, frameworks):
    from assessments.demo import published_results_load

    published_results_load()
    page = client_of(kepahiang_officer).get(reverse("published_result_list")).content.decode()
    assert "Kepahiang" in page and "2,28" in page
    assert "Rejang Lebong" not in page
