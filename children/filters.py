from __future__ import annotations

from datetime import UTC
from typing import Any

import django_filters
from rest_framework.exceptions import ValidationError

from children.models import Child


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time, compared in UTC: any offset a client sends is turned into UTC first (PostgreSQL takes
    offsets only up to 15:59), and one that cannot be (before the year 1) is a bad request."""

    def filter(self, qs: Any, value: Any) -> Any:
        if value is not None and value.tzinfo is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise ValidationError(["Enter a date and time after the year 1"]) from exc
        return super().filter(qs, value)


class ChildFilter(django_filters.FilterSet):
    la_child_id = django_filters.CharFilter(help_text="The LA's own child ID.")
    child_903_id = django_filters.CharFilter(help_text="The SSDA903 CHILD identifier.")
    updated_since = UtcDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Child
        fields = ["la_child_id", "child_903_id", "updated_since"]
