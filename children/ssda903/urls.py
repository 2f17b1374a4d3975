from django.urls import URLPattern, URLResolver

from children.ssda903 import export_views, import_views

app_name = "ssda903"

urlpatterns: list[URLPattern | URLResolver] = [*export_views.urlpatterns, *import_views.urlpatterns]
