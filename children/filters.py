from __future__ import annotations

import django_filters

from children.models import Child


class ChildFilter(django_filters.FilterSet):
    la_child_id = django_filters.CharFilter(help_text="The LA's own child ID.")
    child_903_id = django_filters.CharFilter(help_text="The SSDA903 CHILD identifier.")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Child
        fields = ["la_child_id", "child_903_id", "updated_since"]
