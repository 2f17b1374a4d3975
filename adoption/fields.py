"""Form fields in the GOV.UK patterns shared by every app."""

from __future__ import annotations

from datetime import date

from django import forms


class GovukDateWidget(forms.MultiWidget):
    """Day, month and year in three boxes (the GOV.UK date input pattern)."""

    template_name = "includes/govuk_date_widget.html"

    def __init__(self, attrs=None):
        base = {"class": "govuk-input govuk-date-input__input", "inputmode": "numeric"}
        widths = {"day": 2, "month": 2, "year": 4}
        super().__init__(
            {
                name: forms.TextInput({**base, "class": f"{base['class']} govuk-input--width-{width}"})
                for name, width in widths.items()
            },
            attrs,
        )

    def decompress(self, value):
        if isinstance(value, date):
            return [value.day, value.month, value.year]
        return [None, None, None]


class GovukDateField(forms.MultiValueField):
    widget = GovukDateWidget

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {})
        super().__init__(
            fields=[forms.IntegerField(), forms.IntegerField(), forms.IntegerField()],
            require_all_fields=False,
            **kwargs,
        )

    def clean(self, value):
        label = (self.label or "date").lower()
        parts = value or [None, None, None]
        if not any(str(p or "").strip() for p in parts):
            if self.required:
                raise forms.ValidationError(f"Enter the {label}")
            return None
        names = ("day", "month", "year")
        missing = [n for n, p in zip(names, parts, strict=True) if not str(p or "").strip()]
        if missing:
            raise forms.ValidationError(f"The {label} must include a {' and '.join(missing)}")
        try:
            day, month, year = (int(str(p).strip()) for p in parts)
        except ValueError:
            raise forms.ValidationError(f"The {label} must be a real date, with numbers only") from None
        if year < 1900 or year > 2200:
            raise forms.ValidationError("The year must be 4 digits, like 2025")
        try:
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"The {label} must be a real date") from None

    def compress(self, data_list):  # clean() does the whole job
        return None
