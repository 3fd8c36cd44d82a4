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


# --- The ministry's published tables, as they are -----------------------------------------------


def test_an_unquoted_decimal_comma_in_a_comma_separated_file_is_refused_not_read_as_a_whole_number(frameworks, bengkulu):
    assert problems_of("agency_code,year,index\n17.05,2023,2,61\n") == [
        "row 2, column index: the index has a decimal comma in a comma-separated file: "
        "quote it or use a semicolon-separated file"
    ]
    assert rows_of('agency_code,year,index\n17.05,2023,"2,61"\n')[0].index == Decimal("2.61")


def test_a_row_with_more_cells_than_the_header_is_refused(frameworks, bengkulu):
    assert problems_of("agency_code,year,index\n17.05,2023,2.61,lihat catatan\n") == [
        "row 2, column -: the row has 4 cells but the header has 3"
    ]


def test_agencies_are_found_by_their_official_name_with_or_without_pemerintah(frameworks, bengkulu):
    rows = rows_of(
        "nama_instansi,tahun,indeks\n"
        "Kabupaten Rejang Lebong,2023,3.23\n"
        "Pemerintah Kabupaten Kepahiang,2023,2.28\n"
        "kota  bengkulu,2023,3.10\n"
    )
    assert [row.agency.code for row in rows] == ["17.02", "17.08", "17.71"]


def test_an_unknown_or_ambiguous_agency_name_is_refused_by_name(frameworks, bengkulu):
    from tests.factories import AgencyFactory

    AgencyFactory(code="90.01", name="Kabupaten Kembar", parent=bengkulu["17"])
    AgencyFactory(code="90.02", name="Pemerintah Kabupaten Kembar", parent=bengkulu["17"])
    assert problems_of("nama_instansi,tahun,indeks\nKabupaten Atlantis,2023,3.00\nKabupaten Kembar,2023,3.00\n") == [
        "row 2, column agency_name: unknown agency name 'Kabupaten Atlantis'",
        "row 3, column agency_name: the name 'Kabupaten Kembar' fits several agencies (90.01, 90.02): use the agency code",
    ]


def ministry_workbook(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["HASIL EVALUASI SPBE TAHUN 2023"])
    sheet.append(["Lampiran Keputusan Menteri PANRB"])
    sheet.append([])
    sheet.append(["No", "Nama Instansi", "Indeks", "Predikat"])
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def test_the_ministrys_layout_imports_with_the_year_given_for_the_whole_file(frameworks, bengkulu):
    content = ministry_workbook([[1, "Kabupaten Rejang Lebong", 3.23, "Baik"], [2, "Kabupaten Kepahiang", 2.28, "Cukup"]])
    rows = validate_rows(read_table(content, "kepmen.xlsx"), year=2023)
    assert [(r.agency.code, r.year, r.index) for r in rows] == [("17.02", 2023, Decimal("3.23")), ("17.08", 2023, Decimal("2.28"))]
    with pytest.raises(PublishedResultsError) as caught:
        validate_rows(read_table(content, "kepmen.xlsx"))
    assert [str(p) for p in caught.value.problems] == ["row 4, column year: missing column (or give the year for the whole file)"]


def test_a_predicate_that_does_not_match_the_index_is_reported(frameworks, bengkulu):
    content = ministry_workbook([[1, "Kabupaten Rejang Lebong", 3.23, "Sangat Baik"]])
    with pytest.raises(PublishedResultsError) as caught:
        validate_rows(read_table(content, "kepmen.xlsx"), year=2023)
    assert [str(p) for p in caught.value.problems] == [
        "row 5, column predicate: 'Sangat Baik' does not match the index 3.23, whose predicate is 'Baik'"
    ]


def test_the_import_command_takes_the_year_for_a_file_without_a_year_column(frameworks, bengkulu, tmp_path):
    path = tmp_path / "kepmen.csv"
    path.write_text("Hasil Evaluasi SPBE 2024\n\nNo;Nama Instansi;Indeks;Predikat\n1;Kabupaten Lebong;2,54;Cukup\n", encoding="utf-8")
    call_command("import_published_results", str(path), "--year", "2024")
    assert PublishedResult.objects.get(agency__code="17.07", year=2024).index == Decimal("2.54")


def test_a_csv_in_windows_1252_is_named_as_such(frameworks, bengkulu):
    content = "agency_code,year,index,source\n17.02,2023,3.23,Keputusan Menteri – 2024\n".encode("cp1252")
    with pytest.raises(PublishedResultsError) as caught:
        validate_rows(read_table(content, "hasil.csv"))
    assert str(caught.value) == "row 0, column -: The file looks like Windows-1252 text; save it as UTF-8 (CSV UTF-8)."


# --- Corrections --------------------------------------------------------------------------------


def imported(frameworks, bengkulu, index="3.23"):
    return PublishedResult.objects.create(
        agency=bengkulu["17.02"], year=2023, index=Decimal(index), framework_version=frameworks["PERMENPANRB-59-2020"])


def test_a_correction_changes_the_index_and_records_who_when_from_to_and_why(frameworks, bengkulu, administrator):
    from assessments.services import published_result_correct

    result = imported(frameworks, bengkulu)
    event = published_result_correct(result=result, index="3.32", reason="Ralat KepmenPANRB 13/2024", actor=administrator)
    result.refresh_from_db()
    assert result.index == Decimal("3.32")
    assert (event.actor, event.from_index, event.to_index, event.reason) == (
        administrator, Decimal("3.23"), Decimal("3.32"), "Ralat KepmenPANRB 13/2024")
    assert event.at is not None and list(result.events.all()) == [event]


def test_a_correction_without_a_reason_or_outside_the_scale_changes_nothing(frameworks, bengkulu, administrator):
    from assessments.services import CorrectionError, published_result_correct

    result = imported(frameworks, bengkulu)
    with pytest.raises(CorrectionError, match="needs a reason"):
        published_result_correct(result=result, index="3.32", reason=" ", actor=administrator)
    with pytest.raises(CorrectionError, match="outside the scale"):
        published_result_correct(result=result, index="6", reason="ralat", actor=administrator)
    result.refresh_from_db()
    assert result.index == Decimal("3.23") and not result.events.exists()


def test_the_import_command_corrects_existing_results_only_with_a_reason(frameworks, bengkulu, tmp_path):
    result = imported(frameworks, bengkulu)
    path = tmp_path / "ralat.csv"
    path.write_text("agency_code,year,index\n17.02,2023,3.32\n", encoding="utf-8")
    with pytest.raises(CommandError, match="already has a published result"):
        call_command("import_published_results", str(path))
    with pytest.raises(CommandError, match="--reason"):
        call_command("import_published_results", str(path), "--correct")
    call_command("import_published_results", str(path), "--correct", "--reason", "Ralat kementerian")
    result.refresh_from_db()
    assert result.index == Decimal("3.32") and result.events.get().reason == "Ralat kementerian"
    new = tmp_path / "baru.csv"
    new.write_text("agency_code,year,index\n17.08,2023,2.28\n", encoding="utf-8")
    with pytest.raises(CommandError, match="has no published result for 2023 to correct"):
        call_command("import_published_results", str(new), "--correct", "--reason", "ralat")


def test_administrator_corrects_a_result_in_the_admin_with_a_reason(client_of, administrator, frameworks, bengkulu):
    result = imported(frameworks, bengkulu)
    client = client_of(administrator)
    client.cookies["django_language"] = "en"
    url = reverse("admin:assessments_publishedresult_upload")
    upload = b"agency_code,year,index\n17.02,2023,3.32\n"
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", upload), "correct": "on"})
    assert "A correction needs a reason." in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("r.csv", upload), "correct": "on", "reason": "Ralat kementerian"})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.index == Decimal("3.32") and result.events.get().actor == administrator
    page = client.get(reverse("admin:assessments_publishedresult_change", args=[result.pk])).content.decode()
    assert "Ralat kementerian" in page
