import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.framework_files import FRAMEWORK_DIR
from assessments.models import FrameworkNode, FrameworkVersion
from assessments.services import framework_load

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PEMDI_FILE = FRAMEWORK_DIR / "permenpanrb-8-2026.yaml"


def pemdi_text(**changes):
    data = yaml.safe_load(PEMDI_FILE.read_text(encoding="utf-8"))
    data.update(changes)
    return yaml.safe_dump(data, allow_unicode=True)


def test_loading_the_same_file_twice_changes_nothing():
    first = framework_load(text=PEMDI_FILE.read_text(encoding="utf-8"), name=PEMDI_FILE.name)
    nodes = list(FrameworkNode.objects.values_list("pk", "code", "weight"))
    second = framework_load(text=pemdi_text(), name="reformatted.yaml")  # same content, other formatting
    assert first.outcome == "created" and second.outcome == "unchanged"
    assert second.version.pk == first.version.pk
    assert list(FrameworkNode.objects.values_list("pk", "code", "weight")) == nodes
    assert FrameworkVersion.objects.count() == 1


def test_nodes_keep_the_files_order_tiers_and_external_scoring():
    version = framework_load(text=PEMDI_FILE.read_text(encoding="utf-8"), name=PEMDI_FILE.name).version
    codes = list(version.nodes.order_by("position").values_list("code", flat=True))
    assert codes[:4] == ["TKM", "I1", "I2", "PNY"]
    i6 = version.nodes.get(code="I6")
    assert i6.externally_scored and i6.external_source == "Badan Informasi Geospasial"
    assert i6.parent.code == "DAT" and i6.tier_label == "Indikator" and i6.level_scale == "pemdi"


def test_a_changed_file_updates_an_unused_version_in_place():
    first = framework_load(text=PEMDI_FILE.read_text(encoding="utf-8"), name=PEMDI_FILE.name)
    again = framework_load(text=pemdi_text(source_note="Dicek dengan salinan resmi."), name=PEMDI_FILE.name)
    assert again.outcome == "updated" and again.version.pk == first.version.pk and again.version.number == 1
    assert FrameworkVersion.objects.get().source_note == "Dicek dengan salinan resmi."


def test_a_version_used_by_a_period_is_never_altered_a_change_becomes_a_new_version(open_period):
    used = open_period.framework_version
    before = list(used.nodes.values_list("code", "name", "weight"))
    text = (FRAMEWORK_DIR / "permenpanrb-59-2020.yaml").read_text(encoding="utf-8")
    changed = text.replace("  max: 2.6\n- name: Baik\n  min: 2.6\n", "  max: 2.5\n- name: Baik\n  min: 2.5\n").replace(
        "Kebijakan Internal Arsitektur SPBE Instansi Pusat/Pemerintah Daerah\n",
        "Kebijakan Internal Arsitektur SPBE Instansi Pusat/Pemerintah Daerah (dikoreksi)\n",
    )
    assert changed.count("min: 2.5") == 1  # a scoring change (the Baik band), with a name corrected too
    load = framework_load(text=changed, name="permenpanrb-59-2020.yaml")
    assert load.outcome == "new_version" and load.version.number == 2
    used.refresh_from_db()
    assert list(used.nodes.values_list("code", "name", "weight")) == before
    assert used.definition["predicates"][2]["min"] == 2.6
    assert load.version.nodes.get(code="1").name.endswith("(dikoreksi)")


def test_administrator_loads_a_file_in_the_admin_and_sees_faults_by_place(client_of, administrator):
    client = client_of(administrator)
    client.cookies["django_language"] = "en"
    url = reverse("admin:assessments_frameworkversion_upload")
    broken = pemdi_text(weights_total=90).encode()
    response = client.post(url, {"file": SimpleUploadedFile("pemdi.yaml", broken)})
    assert response.status_code == 200
    assert "top-level weights add up to 100, but weights_total says 90" in response.content.decode()
    assert not FrameworkVersion.objects.exists()
    response = client.post(url, {"file": SimpleUploadedFile("pemdi.yaml", PEMDI_FILE.read_bytes())}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:assessments_frameworkversion_changelist")
    assert FrameworkVersion.objects.get().nodes.count() == 27


def test_the_admin_upload_refuses_a_wrong_file_type(client_of, administrator):
    response = client_of(administrator).post(
        reverse("admin:assessments_frameworkversion_upload"), {"file": SimpleUploadedFile("pemdi.pdf", b"%PDF-1.4")}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_officers_cannot_load_frameworks(client_of, rejang_lebong_officer):
    response = client_of(rejang_lebong_officer).post(
        reverse("admin:assessments_frameworkversion_upload"), {"file": SimpleUploadedFile("x.yaml", PEMDI_FILE.read_bytes())}
    )
    assert response.status_code == 302
    assert not FrameworkVersion.objects.exists()


def test_load_framework_command_loads_both_and_refuses_a_broken_one(tmp_path):
    from django.core.management import CommandError, call_command

    call_command("load_framework")
    assert FrameworkVersion.objects.count() == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text(pemdi_text(weights_total=90), encoding="utf-8")
    with pytest.raises(CommandError, match="weights_total says 90"):
        call_command("load_framework", str(broken))
    assert FrameworkVersion.objects.count() == 2
