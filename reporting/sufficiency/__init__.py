"""The sufficiency forecast: will recruitment keep pace with the children waiting?

For an area (an RAA: its LAs' children and its own households; or one LA's children with its RAA's households),
from the last 8 complete financial quarters' records:

* the history, quarter by quarter, computed in the database (one aggregate query per side:
  :func:`children.selectors.flows.quarterly_child_flows`, :func:`adopters.selectors.flows.quarterly_household_flows`):
  children's new decisions, placement orders, matches and placements, and at each quarter's end the children
  waiting for a family and the families they need; adopters' enquiries, registrations, stage 2 starts, approvals
  and families matched, and at each quarter's end the approved families waiting and those available;
* the assumptions, defaulted from that history (:func:`default_assumptions`) and adjustable: decisions, children
  matched, enquiries and families matched per quarter (the 8 quarters' average), the share of children with a
  decision who go on to need a family, the conversion rates from enquiry to registration and from registration
  to approval (flows over the 8 quarters: registrations / enquiries, approvals / registrations), and families per
  child (families needed / children waiting over the 8 quarter ends: a sibling group placed together needs one);
* the projection of the next 4 quarters (:func:`project`): pure arithmetic on Decimals, so the same assumptions
  always give the same figures.

The caller passes LAs and approving agencies already narrowed to what whoever asked may see; with no agency
(an LA's staff do not see their RAA's families) the families' side is left out.
"""

from __future__ import annotations

from reporting.sufficiency.history import (  # noqa: F401  (the package's interface)
    HISTORY_QUARTERS,
    HUNDRED,
    ONE_PLACE,
    PROJECTION_QUARTERS,
    TIMES,
    TWO_PLACES,
    ZERO,
    ChildQuarter,
    FamilyQuarter,
    History,
    history,
    history_quarters,
)
from reporting.sufficiency.presentation import (  # noqa: F401  (the package's interface)
    CHART_TITLE,
    CHART_Y_LABEL,
    Row,
    chart_svg,
    chart_text,
    default_reasons,
    explain,
    gap_words,
    number,
    rows,
    whole,
)
from reporting.sufficiency.projection import (  # noqa: F401  (the package's interface)
    ASSUMPTION_NAMES,
    FAMILY_ASSUMPTIONS,
    Assumptions,
    ProjectedQuarter,
    default_assumptions,
    forecast_projection,
    project,
)
