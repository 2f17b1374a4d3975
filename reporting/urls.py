from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("a1/", views.a1_report, name="a1"),
]
