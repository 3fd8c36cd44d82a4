from django.contrib.admin.apps import AdminConfig


class SpbeAdminConfig(AdminConfig):
    default_site = "spbe_portal.admin_site.SpbeAdminSite"
