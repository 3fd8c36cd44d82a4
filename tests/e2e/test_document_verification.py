"""Anyone holding a signed report checks it in the browser, without signing in: the page shows
what was issued, says "Sah" for the file as issued and "Tidak diterbitkan di sini" for a copy with
one byte changed, and passes axe on a phone and a desktop."""

import pytest
from playwright.sync_api import expect

from reports import services as report_services
from tests.e2e.audit import audit, problems
from tests.reports.conftest import lebong_levels  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_visitor_checks_the_issued_report_and_a_changed_copy(page, tmp_path, open_period, lebong, lebong_levels):  # noqa: F811
    run, _created = report_services.report_request(kind="regency", period=open_period, agency=lebong)
    run.refresh_from_db()  # rendered and signed inline (tasks run inline, the transaction committed)
    assert run.state == "done", run.error
    issued = tmp_path / "laporan.pdf"
    with run.pdf.open("rb") as handle:
        issued.write_bytes(handle.read())
    changed = tmp_path / "laporan-diubah.pdf"
    content = bytearray(issued.read_bytes())
    content[len(content) // 2] ^= 0x01
    changed.write_bytes(bytes(content))
    url = f"/verifikasi/{run.issued_document.code}/"

    found = audit(page, url)
    assert found is not None and problems(found) == []
    expect(page.locator("#document-number")).to_have_text(run.document_number)
    expect(page.locator("#document-sha256")).to_have_text(run.sha256)

    page.locator("input[type=file]").set_input_files(issued)
    page.get_by_role("button", name="Periksa berkas").click()
    result = page.locator("#verification-result")
    expect(result).to_have_attribute("data-outcome", "valid")
    expect(result).to_contain_text("Sah: berkas ini persis dokumen yang diterbitkan")

    page.locator("input[type=file]").set_input_files(changed)
    page.get_by_role("button", name="Periksa berkas").click()
    expect(result).to_have_attribute("data-outcome", "not_issued_here")
    expect(result).to_contain_text("Tidak diterbitkan di sini")
