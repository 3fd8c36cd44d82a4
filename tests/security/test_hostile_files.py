"""Hostile files: small on the wire, huge when unpacked, or shaped to swallow rows. Each is refused
with a message, and checking it costs the worker less than 50 MB (measured with tracemalloc)."""

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.evidence_files import EvidenceFileError, check_file
from assessments.framework_files import FrameworkFileError, parse
from assessments.published_results import PublishedResultsError, read_table, validate_rows

MB = 1024 * 1024
GIB = 1024 * MB
MEMORY_BUDGET = 50 * MB

pytestmark = pytest.mark.usefixtures("english")


def inflating_member(archive, name, size):
    """Write ``size`` zero bytes as one deflated member without holding them in memory."""
    chunk = bytes(16 * MB)
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = 1  # fast to make; zeros shrink a thousandfold all the same
    with archive.open(info, "w", force_zip64=True) as member:
        for _ in range(size // len(chunk)):
            member.write(chunk)


@pytest.fixture(scope="module")
def odt_bomb():
    """About 1 MB on disk: a 'mimetype' member that inflates to 1 GiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        inflating_member(archive, "mimetype", GIB)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def docx_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        inflating_member(archive, "word/document.xml", GIB)
    return buffer.getvalue()


def peak_memory_of(action):
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused_evidence(content, name):
    def check():
        with pytest.raises(EvidenceFileError) as caught:
            check_file(name=name, stream=io.BytesIO(content), size=len(content), max_bytes=20 * MB)
        check.message = str(caught.value)

    peak = peak_memory_of(check)
    return check.message, peak


def test_an_odt_whose_mimetype_inflates_to_a_gibibyte_is_refused_within_the_memory_budget(odt_bomb):
    assert len(odt_bomb) < 20 * MB  # small enough to pass the upload size cap
    message, peak = refused_evidence(odt_bomb, "laporan.odt")
    assert "not an ordinary document" in message
    assert peak < MEMORY_BUDGET


def test_a_docx_whose_content_inflates_to_a_gibibyte_is_refused_before_it_is_stored(docx_bomb):
    message, peak = refused_evidence(docx_bomb, "laporan.docx")
    assert "laporan.docx" in message and "not an ordinary document" in message
    assert peak < MEMORY_BUDGET


def test_an_ordinary_docx_is_still_accepted():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document>" + "Kebijakan SPBE " * 2000 + "</w:document>")
    content = buffer.getvalue()
    checked = check_file(name="kebijakan.docx", stream=io.BytesIO(content), size=len(content), max_bytes=20 * MB)
    assert checked.extension == "docx"


@pytest.mark.django_db
def test_a_meeting_attachment_bomb_is_refused_like_evidence(odt_bomb):
    from assessments.evidence_files import check_bytes

    with pytest.raises(EvidenceFileError):
        check_bytes("notulen.odt", odt_bomb, 20 * MB)


def xlsx_with_a_far_cell():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["agency_code", "year", "index"])
    sheet.cell(row=1048576, column=16384, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_spreadsheet_with_one_cell_at_xfd1048576_is_refused_quickly_and_within_the_memory_budget():
    content = xlsx_with_a_far_cell()
    assert len(content) < 10 * 1024

    def read():
        with pytest.raises(PublishedResultsError) as caught:
            read_table(content, "hasil.xlsx")
        read.message = str(caught.value)

    assert peak_memory_of(read) < MEMORY_BUDGET
    assert "more than 10.000 rows" in read.message


def test_a_spreadsheet_whose_parts_inflate_past_the_bound_is_refused(docx_bomb):
    with pytest.raises(PublishedResultsError, match="not an ordinary document"):
        read_table(docx_bomb, "hasil.xlsx")


def test_a_csv_with_an_unterminated_quote_is_refused_instead_of_swallowing_rows():
    text = 'agency_code,year,index\n17.02,2024,"3.23\n17.08,2024,2.28\n17.07,2024,2.93\n'
    with pytest.raises(PublishedResultsError, match="Row 2: a quoted field is not closed"):
        read_table(text.encode(), "hasil.csv")


def test_a_csv_field_spanning_lines_is_refused():
    text = 'agency_code,year,index,source\n17.02,2024,3.23,"Kepmen\nPANRB"\n'
    with pytest.raises(PublishedResultsError, match="Row 2"):
        read_table(text.encode(), "hasil.csv")


def test_a_csv_of_three_hundred_thousand_rows_is_refused_with_one_message():
    text = "agency_code,year,index\n" + "17.02,2024,3.23\n" * 300_000
    with pytest.raises(PublishedResultsError) as caught:
        read_table(text.encode(), "hasil.csv")
    assert caught.value.lines() == ["row 0, column -: The file has more than 10.000 rows: split it."] or "10.000" in str(caught.value)


def test_a_very_long_cell_is_refused():
    text = "agency_code,year,index,source\n17.02,2024,3.23," + "x" * 10_000 + "\n"
    with pytest.raises(PublishedResultsError, match="10.000 characters"):
        read_table(text.encode(), "hasil.csv")


@pytest.mark.django_db
def test_thousands_of_bad_rows_list_fifty_problems_and_say_how_many_more(frameworks, bengkulu):
    text = "agency_code,year,index\n" + "99.99,2024,3.23\n" * 2000
    with pytest.raises(PublishedResultsError) as caught:
        validate_rows(read_table(text.encode(), "hasil.csv"))
    lines = caught.value.lines()
    assert len(caught.value.problems) == 2000
    assert len(lines) == 51
    assert lines[-1] == "… and 1.950 more problems."


@pytest.mark.django_db
def test_the_admin_shows_the_far_cell_spreadsheet_as_a_refusal_not_an_error(administrator, client_of):
    client = client_of(administrator)
    upload = SimpleUploadedFile("hasil.xlsx", xlsx_with_a_far_cell())
    response = client.post(reverse("admin:assessments_publishedresult_upload"), {"file": upload})
    assert response.status_code == 200
    assert "10.000" in response.content.decode()


BILLION_LAUGHS = """
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_a_framework_file_with_aliases_is_refused_before_it_expands():
    with pytest.raises(FrameworkFileError) as caught:
        parse(BILLION_LAUGHS, name="laughs.yaml")
    assert "aliases" in str(caught.value)


@pytest.mark.parametrize("name, text", [
    ("deep.yaml", "[" * 50_000 + "]" * 50_000),
    ("deep.json", "[" * 50_000 + "]" * 50_000),
    ("deep.yaml", "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 200))),
])
def test_a_deeply_nested_framework_file_is_refused_with_a_message(name, text):
    with pytest.raises(FrameworkFileError, match="nested deeper than 40 levels"):
        parse(text, name=name)
