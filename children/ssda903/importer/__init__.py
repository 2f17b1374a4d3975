"""SSDA903 import: from an LA's 903 tables to the children's journeys, all or nothing.

The steps, each its own function so pages, the API, jobs and tests share them:

1. :func:`children.ssda903.reader.read_upload` reads the files into the four tables and reports
   file-level problems (unreadable, unknown file, missing column, bad date, unknown code, a child
   missing from Header).
2. :func:`dfe_findings` runs the DfE's own rules (``csc-validator-be-903``, via
   :func:`children.ssda903.validation.validate_tables`) on the same tables.
3. :func:`plan_import` turns the tables into a plan per child and diffs it against the record, so
   the plan holds only what would change; importing the same files again plans nothing.
4. :func:`execute` carries out the plan through ``children.services`` (the same rules, messages and
   audit as the pages), one savepoint per child inside one transaction: a preview rolls everything
   back at the end, an apply rolls everything back if any child is refused. Children new to the LA
   (the common, heavy case) are replayed step by step in memory with the services' own rule code
   and written a batch at a time, one insert per table (:mod:`.bulk`): the same records, audit events
   and history rows. A child the replay does not take (one a service would refuse, or a state it does
   not model), and every child of a batch the database refuses, goes through the services, so every
   refusal is the service's own, with its message.

What the import maps (everything else in the 903 is left alone):

* Header CHILD/DOB/SEX/ETHNIC/UPN (and UASC from the XML form) -> the child, found by its 903 ID
  within the LA; a new child is named "Child <903 ID>" because the 903 carries no names.
* Episodes -> periods of care and episodes (RNE S starts a period; REC other than X1 ends it).
  Recorded episodes are never rewritten: the file may only end the open episode and add later
  ones. A file that disagrees with a recorded episode is refused with the difference named.
* A return holds only the episodes open in its year, so a child in care since an earlier year
  arrives with a first episode that continues the period (RNE other than S). For a child with no
  period of care recorded, the period starts from that episode and is marked as begun before the
  returns held (``PeriodOfCare.start_before_records``): the date the child entered care is left
  unknown, and the episode keeps its RNE so the return is written out again as it came in. A
  placement order whose legal status that first episode already had is recorded on its first day,
  marked as made on or before it. For a child whose record exists, an episode that does not join up
  with it is refused (IMP-PERIOD); an earlier year's return imported after a later one began the
  record is refused (IMP-EARLIER: import the earlier years first).
* PlacedAdoption DATE_PLACED / DATE_PLACED_CEASED / REASON_PLACED_CEASED -> decisions that the
  child should be placed for adoption and their reversals; AD1 DATE_INT too.
* An episode whose LS becomes E1 or D1 -> a placement order (E1 placement, D1 freeing order).
* A run of A3-A6 episodes -> an adoptive placement (placed on its first day; A3/A5 = with their
  foster carers, who they moved in with at the start of the episodes with RNE L/U/B before it);
  AD1 DATE_MATCH is the match. A run that ends without adoption is a disruption.
  The 903 has DATE_MATCH only for adopted children: a child placed but not adopted gets the
  placement date as the match date, with a warning.
* REC E11/E12 -> the adoption order (on DEC) and the end of the period of care.
* REC E41 -> a child arrangements order, E45 to E48 -> a special guardianship order (on DEC).

Which DfE findings block the import (:data:`BLOCKING_DFE_RULES`): the validity of every code and
date; the order of the adoption dates (331, 333, 334, 554, 1003 and the other rules on the AD1 and
PlacedAdoption tables); the episode sequence the import relies on (142, 388, 501); and the DfE's
integrity checks (INT..). Everything else the DfE checks (postcodes, URNs, providers, UPN format,
mothers, respite, collection-year bounds) is shown as a warning: it is the LA's return to correct,
and nothing the import stores depends on it.
"""

from __future__ import annotations

from children.ssda903.importer.apply import execute, plan_digest
from children.ssda903.importer.constants import (
    BLOCKING_DFE_RULES,
    CONFLICT,
    DFE_NOT_RUN,
    EARLIER,
    EPISODES,
    JOURNEY,
    MATCH_DATE,
    ORDER_DATE,
    PERIOD,
    PHASE_APPLY,
    PHASE_IMPORT,
    PHASE_PREVIEW,
    PLACED_DATE,
    REFUSED,
    STALE,
)
from children.ssda903.importer.dfe import DfeCheck, dfe_findings
from children.ssda903.importer.plan import plan_import
from children.ssda903.importer.requests import (
    can_import,
    import_confirm,
    import_job_get,
    import_job_list,
    import_las,
    import_request,
    import_work,
)
from children.ssda903.importer.run import Report, run_import
from children.ssda903.importer.steps import ChildPlan, Step

__all__ = [
    "BLOCKING_DFE_RULES",
    "CONFLICT",
    "DFE_NOT_RUN",
    "EARLIER",
    "EPISODES",
    "JOURNEY",
    "MATCH_DATE",
    "ORDER_DATE",
    "PERIOD",
    "PHASE_APPLY",
    "PHASE_IMPORT",
    "PHASE_PREVIEW",
    "PLACED_DATE",
    "REFUSED",
    "STALE",
    "ChildPlan",
    "DfeCheck",
    "Report",
    "Step",
    "can_import",
    "dfe_findings",
    "execute",
    "import_confirm",
    "import_job_get",
    "import_job_list",
    "import_las",
    "import_request",
    "import_work",
    "plan_digest",
    "plan_import",
    "run_import",
]
