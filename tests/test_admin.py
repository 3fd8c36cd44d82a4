"""Every model has an admin page an administrator can open (list, search, and add where adding by
hand is allowed), in Indonesian."""

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens_for_an_administrator(administrator, client_of, spbe_2021):
    client = client_of(administrator)
    local_apps = {"agencies", "assessments", "meetings", "reports", "axes", "django_celery_beat"}
    checked = 0
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        if opts.app_label not in local_apps:
            continue
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        response = client.get(changelist + ("?q=a" if model_admin.search_fields else ""))
        assert response.status_code == 200, changelist
        first = model.objects.first()
        if first is not None:
            assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])).status_code == 200, opts.label
        if model_admin.has_add_permission(response.wsgi_request):
            assert client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 200, opts.label
        checked += 1
    assert checked >= 20
    assert "Administrasi Portal SPBE" in client.get(reverse("admin:index")).content.decode()
