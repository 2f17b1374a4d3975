from django.contrib import admin

from reporting.models import EnglandFigure, ScorecardThreshold


@admin.register(ScorecardThreshold)
class ScorecardThresholdAdmin(admin.ModelAdmin):
    list_display = ["measure", "applies_from", "days", "source"]
    list_filter = ["measure"]


@admin.register(EnglandFigure)
class EnglandFigureAdmin(admin.ModelAdmin):
    list_display = ["measure", "period_end", "value", "source"]
    list_filter = ["measure"]
