from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("a1/", views.a1_report, name="a1"),
    path("annex-a/list-11/", views.annex_a_list_11_request, name="annex-a-list-11"),
]
