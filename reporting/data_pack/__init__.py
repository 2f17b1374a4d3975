"""The regional data pack of a quarter: the tables regional adoption boards ask for, cut by region, RAA or LA.

Every figure is computed in the database from the dated records, as they stood at the quarter's end: each table
is one aggregate query grouped by the child's responsible LA (or, for families, checks and the adopters'
pipeline, by the approving agency), and the rows of a cut add those up, so a region's figure is the sum of its
LAs'. Percentages and means are worked out from the added counts, never averaged. The one exception is the
longest waiters: a quarter of an area's children is not the sum of its LAs' quarters, so that table is grouped
by the cut's own areas (one query for the areas, one for all).

The callers pass LAs (and approving agencies) already narrowed to what whoever asked may see: the page the LAs
and RAAs where the user holds a reporting role (``reporting.services.REPORT_ROLES``), the job those fixed when it
was asked for. Families, checks and the pipeline are the approving agencies' (an RAA approves adopters for all
its LAs), so they are shown by RAA (and region) only to those who report on the RAA.

What the records support, and what they do not (said in each table's note):

* stock and flow: decisions, placement orders, matches, moves and adoption orders are dated records;
* waiting 12 and 18 months from the placement order: the latest order made by the quarter's end;
* families needed: children waiting and not matched, a sibling group to be placed together counted once;
  families available: approved families not matched, by their family-finding availability code, so families
  on hold, not available, or early permanence carers with a child placed are not counted as available;
* special guardianship orders: the permanence outcomes recorded on the children's records here. Children the
  service holds no record of (SGOs made for children never on an adoption plan and not imported from the 903
  return) are not counted.
"""

from __future__ import annotations

from reporting.data_pack.children_tables import (  # noqa: F401  (the package's interface)
    CHARACTERISTICS,
    LongestWaitThreshold,
    longest_waiters,
    placed_by_next,
    stock_and_flow,
    waiting,
)
from reporting.data_pack.core import (  # noqa: F401  (the package's interface)
    ALL,
    ALL_LABEL,
    CUTS,
    NO_RAA,
    NO_REGION,
    PDF,
    XLSX,
    Area,
    Column,
    Counts,
    DataPack,
    Row,
    Table,
    agency_areas,
    areas,
    mean,
    minus,
    plus,
    share,
)
from reporting.data_pack.family_tables import (  # noqa: F401  (the package's interface)
    AVAILABILITY_COLUMNS,
    delays,
    families,
    pipeline,
)
from reporting.data_pack.files import (  # noqa: F401  (the package's interface)
    ABOUT_HEADINGS,
    ABOUT_SHEET,
    CHART_TITLE,
    SummaryTable,
    characteristics_chart_svg,
    summary,
    workbook,
)
from reporting.data_pack.la_tables import (  # noqa: F401  (the package's interface)
    best_interest,
    early_permanence,
    orders,
)
from reporting.data_pack.service import (  # noqa: F401  (the package's interface)
    data_pack_build,
    data_pack_request,
)
from reporting.data_pack.tables import (  # noqa: F401  (the package's interface)
    data_pack,
)
