from django.urls import path

from children import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("<int:child_id>/", views.child_detail, name="detail"),
]
