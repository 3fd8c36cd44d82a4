"""The exports and the pages show the same numbers, from the same engine, within the user's scope."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from assessments.models import Assessment
from assessments.services import assessment_get_or_create
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


def csv_rows(content):
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def page_indices(html):
    """{agency short name: (self-assessed, verified)} from the period page's table."""
    table = html.split('id="period-indices"')[1].split("</table>")[0]
    found = {}
    for row in table.split("<tr>")[2:]:
        name = re.search(r'">([^<]+)</a>', row).group(1)
        numbers = re.findall(r'fw-semibold">([\d,]+)<', row)
        found[name] = tuple(Decimal(n.replace(",", ".")) for n in numbers)
    return found


def test_indices_export_matches_the_period_page(spbe_2021, client_of, provincial_reviewer):
    client = client_of(provincial_reviewer)
    shown = page_indices(client.get(reverse("period_detail", args=[spbe_2021.pk])).content.decode())
    assert shown == {
        "Rejang Lebong": (Decimal("2.57"), Decimal("2.35")),
        "Lebong": (Decimal("1.39"), Decimal("1.19")),
        "Kepahiang": (Decimal("1.59"), Decimal("1.40")),
    }
    response = client.get(reverse("period_export", args=[spbe_2021.pk, "indices", "csv"]))
    assert response["Content-Disposition"].startswith('attachment; filename="indeks-spbe-2021-')
    exported = {row["Kode instansi"] if "Kode instansi" in row else row["Agency code"]: row for row in csv_rows(response.content)}
    assert set(exported) == {"17.02", "17.07", "17.08"}
    values = [tuple(Decimal(v) for v in list(row.values())[2:5:2]) for row in csv_rows(response.content)]
    assert sorted(values) == sorted(shown.values())


def test_indices_excel_has_numbers_per_domain_and_aspect(spbe_2021, client_of, provincial_reviewer):
    response = client_of(provincial_reviewer).get(reverse("period_export", args=[spbe_2021.pk, "indices", "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = {row[0]: dict(zip(header, row)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    rejang_lebong = rows["17.02"]
    assert rejang_lebong[header[2]] == pytest.approx(2.57)
    assert len(header) == 9 + 4 + 2 * 12  # index, change, how measured, compared with; 4 domains + 8 aspects, self-assessed and verified
    assert any(title.endswith("Domain D4") for title in header)


def test_levels_export_lists_every_indicator_of_every_visible_agency(spbe_2021, client_of, provincial_reviewer, kepahiang_officer):
    everything = csv_rows(client_of(provincial_reviewer).get(reverse("period_export", args=[spbe_2021.pk, "levels", "csv"])).content)
    assert len(everything) == 3 * 47
    first = list(everything[0].values())
    assert first[:5] == ["17.02", "Pemerintah Kabupaten Rejang Lebong", "1", "Tingkat Kematangan Kebijakan Internal Arsitektur SPBE Instansi Pusat/Pemerintah Daerah", "3"]
    own = csv_rows(client_of(kepahiang_officer).get(reverse("period_export", args=[spbe_2021.pk, "levels", "csv"])).content)
    assert {list(row.values())[0] for row in own} == {"17.08"}
    assert len(own) == 47


def test_export_commands_write_csv_and_excel(spbe_2021, tmp_path, capsys):
    call_command("export_indices", "--year", "2021", "--output", str(tmp_path / "i.xlsx"))
    assert load_workbook(tmp_path / "i.xlsx").active.max_row == 4
    call_command("export_levels", "--year", "2021", "--framework", "PERMENPANRB-59-2020")
    assert len(capsys.readouterr().out.strip().splitlines()) == 1 + 3 * 47


def test_assessment_page_shows_indices_and_a_plan_with_concrete_indicators(spbe_2021, client_of, rejang_lebong_officer):
    page = client_of(rejang_lebong_officer).get(reverse("assessment_detail", args=[spbe_2021.pk, "17.02"])).content.decode()
    assert 'id="self-index">2,57<' in page and 'id="verified-index">2,35<' in page
    plan = page.split('id="improvement-plan"')[1].split("</section>")[0]
    assert "2,57" in plan and "2,60" in plan and "Baik" in plan
    assert "Tingkat Kematangan Layanan Pengaduan Pelayanan Publik" in plan  # indicator 42, weight 3.00


def test_plan_for_a_chosen_target_on_verified_levels(spbe_2021, client_of, provincial_reviewer):
    url = reverse("assessment_detail", args=[spbe_2021.pk, "17.07"]) + "?basis=verified&target=2,00"
    plan = client_of(provincial_reviewer).get(url).content.decode().split('id="improvement-plan"')[1].split("</section>")[0]
    assert "1,19" in plan and "2,00" in plan


def test_an_out_of_scale_target_is_explained(spbe_2021, client_of, provincial_reviewer):
    url = reverse("assessment_detail", args=[spbe_2021.pk, "17.07"]) + "?target=9"
    response = client_of(provincial_reviewer).get(url)
    assert response.status_code == 200
    assert response.context["target_error"]


def test_officer_sees_only_their_regency_on_the_period_page(spbe_2021, client_of, kepahiang_officer):
    page = client_of(kepahiang_officer).get(reverse("period_detail", args=[spbe_2021.pk])).content.decode()
    assert set(page_indices(page)) == {"Kepahiang"}


def test_period_page_queries_do_not_grow_with_agencies(open_period, client_of, provincial_reviewer, django_assert_max_num_queries, bengkulu):
    client = client_of(provincial_reviewer)
    url = reverse("period_detail", args=[open_period.pk])
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(20):
        assessment_get_or_create(period=open_period, agency=AgencyFactory(parent=bengkulu["17"]))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert Assessment.objects.filter(period=open_period).count() == 23
    assert len(page_indices(response.content.decode())) == 23


def test_assessment_page_queries_are_few_and_fixed(spbe_2021, client_of, provincial_reviewer, django_assert_max_num_queries):
    client = client_of(provincial_reviewer)
    with django_assert_max_num_queries(12):  # 10, one for the national stages' results of the score ledger, one for the period picker
        response = client.get(reverse("assessment_detail", args=[spbe_2021.pk, "17.02"]))
    assert response.content.decode().count("data-indicator=") == 47


def test_text_that_looks_like_a_formula_stays_text_in_exports():
    from assessments.exports import as_csv, as_xlsx

    columns = [("note", "Note"), ("index", "Index")]
    rows = [{"note": "=HYPERLINK(\"http://contoh.invalid\")", "index": Decimal("2.50")}]
    assert "'=HYPERLINK" in as_csv(columns, rows).decode("utf-8-sig")
    cell = load_workbook(io.BytesIO(as_xlsx([("t", columns, rows)]))).active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")
