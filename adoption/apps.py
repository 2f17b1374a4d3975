from django.apps import AppConfig


class AdoptionConfig(AppConfig):
    name = "adoption"
    verbose_name = "Adoption core"

    def ready(self) -> None:
        from adoption import signals  # noqa: F401  (connects the audit receivers)
