from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = "Adoption core"

    def ready(self) -> None:
        from adoption import signals  # noqa: F401  (connects the audit receivers)
        from adoption.admin import audit_every_admin

        # django.contrib.admin comes first in INSTALLED_APPS, so every app's admin module is loaded by now.
        audit_every_admin()
