"""The project's select template (templates/django/forms/widgets/select.html) writes options inline, for speed: its
HTML must be Django's own, byte for byte, for every kind of select the forms use."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, TemplatesSetting
from django.template.loader import render_to_string

from children.forms import ChildSearchForm
from children.journey import HarderToPlace, Stage

DJANGOS = DjangoTemplates()  # Django's built-in widget templates only
PROJECTS = TemplatesSetting()  # the project's templates first (settings.FORM_RENDERER)

WIDGETS = [
    (forms.Select(attrs={"class": "govuk-select"}, choices=[("", "Any"), ("a", "A & <b>"), (1, "One")]), "a"),
    (forms.Select(choices=[("", "Any"), ("a", "A")]), None),
    (forms.Select(choices=[("Group <1>", [("x", "X"), ("y", "Y")]), ("z", "Zed")], attrs={"disabled": True}), "y"),
    (forms.SelectMultiple(choices=[(1, "One"), (2, "Two"), (3, "Three")], attrs={"aria-x": False}), [1, 3]),
    (forms.NullBooleanSelect(), True),
    (forms.NullBooleanSelect(), None),
    (forms.Select(choices=[(value, label) for value, label in Stage.choices]), Stage.choices[2][0]),
]


def test_the_select_template_is_the_projects():
    """The override is the one a form renders with, so the comparisons below compare two templates."""
    origin = PROJECTS.get_template("django/forms/widgets/select.html").origin.name
    assert origin.endswith("templates/django/forms/widgets/select.html")
    assert "site-packages" not in origin
    html = forms.Select(choices=[("a", "A")]).render("s", "a", renderer=PROJECTS)
    assert html == '<select name="s">\n  <option value="a" selected>A</option>\n\n</select>'


@pytest.mark.parametrize(("widget", "value"), WIDGETS)
def test_a_select_renders_as_djangos(widget, value):
    attrs = {"id": "id_s"}
    assert widget.render("s", value, attrs=attrs, renderer=PROJECTS) == widget.render(
        "s", value, attrs=attrs, renderer=DJANGOS
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"stage": Stage.PLACEMENT_ORDER, "band": "over_18_months", "sort": "-name", "flags": [HarderToPlace.DISABLED]},
        {"stage": "not a stage", "la": "999999", "family_finding": "none"},
    ],
)
@pytest.mark.django_db
def test_the_child_list_filters_render_as_with_djangos_templates(data):
    """Every field of the child list's filters through includes/field.html, as a user sees them."""

    def page(renderer):
        form = ChildSearchForm(data, renderer=renderer)
        form.is_valid()
        return "".join(render_to_string("includes/field.html", {"field": form[name]}) for name in form.fields)

    ours = page(PROJECTS)
    assert ours == page(DJANGOS)
    assert "<option" in ours
