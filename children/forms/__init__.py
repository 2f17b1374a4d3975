"""Forms for the children's pages. Each event form turns what the user typed into one service's arguments.

Dates use the GOV.UK three-box pattern (:class:`adoption.fields.GovukDateField`). The journey rules
themselves live in the services (``children.rules``); a refused change comes back as a
``ValidationError`` keyed by field, which :func:`add_service_errors` puts on the form's fields.
"""

from __future__ import annotations

from children.forms.base import CONSTRAINT_MESSAGES, GovukForm, add_service_errors, choice, date_field, text, yes_no
from children.forms.journey import (
    ChildForm,
    DecisionForm,
    EarlyPermanenceForm,
    EnterCareForm,
    EpisodeForm,
    FamilyFindingForm,
    FeaturingForm,
    LeaveCareForm,
    MatchForm,
    PermanenceOutcomeForm,
    PermanenceReportForm,
    PlacementEndForm,
    PlacementOrderForm,
    ProceedingsForm,
    ReverseDecisionForm,
)
from children.forms.lists import SORT_CHOICES, ChildSearchForm
from children.forms.siblings import SiblingGroupAddMemberForm, SiblingGroupCreateForm, SiblingGroupUpdateForm

__all__ = [
    "CONSTRAINT_MESSAGES",
    "SORT_CHOICES",
    "ChildForm",
    "ChildSearchForm",
    "DecisionForm",
    "EarlyPermanenceForm",
    "EnterCareForm",
    "EpisodeForm",
    "FamilyFindingForm",
    "FeaturingForm",
    "GovukForm",
    "LeaveCareForm",
    "MatchForm",
    "PermanenceOutcomeForm",
    "PermanenceReportForm",
    "PlacementEndForm",
    "PlacementOrderForm",
    "ProceedingsForm",
    "ReverseDecisionForm",
    "SiblingGroupAddMemberForm",
    "SiblingGroupCreateForm",
    "SiblingGroupUpdateForm",
    "add_service_errors",
    "choice",
    "date_field",
    "text",
    "yes_no",
]
