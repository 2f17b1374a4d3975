from django.contrib import admin

from reporting.models import ScorecardThreshold


@admin.register(ScorecardThreshold)
class ScorecardThresholdAdmin(admin.ModelAdmin):
    list_display = ["measure", "applies_from", "days", "source"]
    list_filter = ["measure"]
