"""Filled in by the SSDA903 work; the URL seam exists so its parts can land independently."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
