"""Retention of adoption records: how long each is kept, legal holds, and two-person disposal.

The rules (computed in the database by migrations ``adoption.0011`` and ``adoption.0012``, so the delete guard and the
pages read the same computation; ``RetentionRecord`` is its view):

* **An adopted child's records** (the child, the decision, the placement order, placements, the adoption order):
  100 years from the adoption order (Adoption Agencies Regulations 2005, reg. 41; DOMAIN.md "Records rules").
* **A looked-after child's records without an adoption order**: to the 75th birthday (from the expected date of
  birth while it is not known) (DOMAIN.md "Records rules"; the Care Planning, Placement and Case Review (England)
  Regulations 2010, reg. 50).
* **Matches and households** belong to the records of the children linked, matched or placed with them, so they are
  kept as long as the longest of those: the latest adoption order they relate to + 100 years when there is one.
* **A household never linked to an adoption**: neither DOMAIN.md nor the sources give a period, and no statute fixes
  one for prospective adopters who did not adopt; the rule chosen is the agency's own: **10 years after the family
  left the process or was de-registered** (and no earlier than any child's record it is linked with). While the
  family is still in the process it has no date.
* **Panel records** (a meeting with its attendance, agenda items with the recommendation, the minute and the ADM's
  decision, and the meeting's minutes record) are part of the case record of the family or child each item was
  about: an item is kept as long as the longest of those; a meeting as long as its longest item and at least
  10 years from the day it was held (the same local period as above).
* **Every other row of those records** (``KEPT_TABLES``: periods of care and their 903 episodes (the legal statuses),
  family-finding statuses, featuring, early permanence, proceedings, CPRs, links, disruptions and their learning
  actions; a family's checks, pauses, availability and reviews; attendance, agenda papers, their ratings and the
  attendees' feedback; support requests, assessments of need, support plans, ASF applications and life story work)
  is kept as long as the longest of the records it is part of (its foreign keys, ``adoption.0012``'s ``PARENTS``).
  A support request that names neither a child nor a family on record (an adult adoptee, a school): 10 years after
  it was closed (the same local period), no date while it is open.

Not kept here: panel members and their appraisals (the agency's records of its panel, not a child's or a family's
case record), sibling groups and memberships (the children's current grouping: a child is taken out of a group as
plans change, and the audit trail keeps who and when), and configuration (fee rates, ASF limits, timescales, quorum
rules, thresholds).

Why in the database: nothing is hard-deleted (DOMAIN.md). A ``BEFORE DELETE`` trigger on every kept table refuses
the delete, whether it comes from ``obj.delete()``, ``QuerySet.delete()`` or SQL typed by hand, unless an *approved*
disposal lists that exact row in ``DisposedRow``. The database itself writes a ``DisposedRow``'s date when the row is
inserted and refuses it while the record's date has not come or a legal hold is in force, and the guard checks the
date and the hold again on the delete: so no request row, however written, can bring a disposal forward. A hold
keeps the row it is on and every row that is part of that record, however deep (a hold on a child keeps its periods
of care, episodes, placements, matches and panel items; a hold on a family its applicants and their checks): the
database follows the row's foreign keys up to the child, the family or the meeting (``adoption_retention_lineage``).
Work in progress that is not yet a record may still go: an item taken off a future agenda with nothing recorded,
an invitation or attendance corrected before the meeting's minutes are final. The two-person rule is a check
constraint on ``DisposalRequest`` (who decides is never who asked). TRUNCATE does not fire row triggers, so the test
suite's flush between transactional tests is unaffected.

What a disposal removes: the record and every row that belongs to it (the rows that refer to it, and theirs, such as
a child's periods of care, links and panel items; a family's applicants and checks), deepest first, and their change
history (pghistory's event rows, which hold copies of the values). Every kept row among them must itself be due and
not on hold, or nothing is removed. Audit events (ids, never values) stay.

Who: administrators and managers (``RETENTION_ROLES``) of the organisation that holds the record (a child's LA, or
the LA's RAA; a family's approving agency; a panel's RAA). Others get 403; another organisation's record is 404.
"""

from __future__ import annotations

from adoption.models import Role

RETENTION_ROLES = frozenset({Role.ADMINISTRATOR, Role.MANAGER})

# The records a person asks to dispose of or puts on hold, by table, with how the pages name them. The tables are
# the database's names, so the core app reads them without importing the apps to its right.
KINDS: dict[str, str] = {
    "children_child": "Child",
    "children_match": "Match",
    "adopters_household": "Household",
    "panels_panelmeeting": "Panel meeting",
}

# Every table whose rows the database keeps until disposal (a delete guard on each, migrations adoption.0011 and
# adoption.0012): the records a person chooses (``KINDS``) and every row that is part of them.
KEPT_TABLES = frozenset(
    {
        # A child's record.
        "children_child",
        "children_periodofcare",
        "children_episode",
        "children_adoptiondecision",
        "children_placementorder",
        "children_adoptiveplacement",
        "children_permanenceoutcome",
        "children_familyfindingstatus",
        "children_featuring",
        "children_earlypermanenceplacement",
        "children_proceedingstracking",
        "children_childpermanencereport",
        "children_link",
        "children_match",
        "children_disruption",
        "children_learningaction",
        # A family's record.
        "adopters_household",
        "adopters_applicant",
        "adopters_check",
        "adopters_pause",
        "adopters_availability",
        "adopters_review",
        # A panel's record.
        "panels_panelmeeting",
        "panels_panelattendance",
        "panels_agendaitem",
        "panels_agendapaper",
        "panels_paperrating",
        "panels_attendeefeedback",
        "panels_meetingminutes",
        # Adoption support, part of the child's and the family's records.
        "support_supportrequest",
        "support_assessmentofneed",
        "support_supportplan",
        "support_asfapplication",
        "support_lifestorywork",
    }
)


def kind_label(table_name: str) -> str:
    return KINDS.get(table_name, table_name)
