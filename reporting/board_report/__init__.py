"""The RAA executive board's quarterly performance report, for one RAA (or one of its LAs) and one quarter.

What the board receives each quarter (source document 003, "Performance Management"): children's numbers,
decisions and orders and their timeliness against the national scorecard; early permanence placements;
children placed with the RAA's own adopters; enquiries and adopters at each stage; the timeliness of the
adopters' assessments; inter-agency placements and disruptions; and the Adoption Support Fund.

Each figure of a period (new in it: a flow) is shown for every quarter of the financial year up to the chosen
one, and for the year to date; each figure at a quarter's end (a stock, and the scorecard's 3-year measures)
for the end of every one of those quarters. Everything is computed in the database, one aggregate query per
table with a filtered count per period (``children.selectors.board``, ``adopters.selectors.board``,
``support.selectors.board``); the scorecard's measures and headline counts are ``reporting.measures``'s own.

Whose records: the children of the LA (or of all the RAA's LAs) and the ASF applications of their spokes; the
families approved by the RAA, which approves adopters for all its LAs (families are not recorded by LA, so an
LA's report shows its RAA's families), and only to someone who reports on the RAA itself.

Not recorded is shown as not recorded: a placement with no family recorded is counted apart, not guessed to be
the RAA's own or inter-agency; a placement that ended with no disruption record is counted apart too.
"""

from __future__ import annotations

from reporting.board_report.figures import (  # noqa: F401  (the package's interface)
    CHART_TITLE,
    CHART_Y_LABEL,
    NO_FIGURE,
    NOT_RECORDED,
    AdopterFlows,
    Adopters,
    AdopterStages,
    AsfFigures,
    BoardReport,
    BoardScope,
    ChildFlows,
    ChildStages,
    Period,
    Timeliness,
    board_report,
    board_scope,
    quarters_to,
    report_organisations,
    year_to_date,
)
from reporting.board_report.service import (  # noqa: F401  (the package's interface)
    board_report_build,
    board_report_request,
    flows_chart_svg,
)
from reporting.board_report.tables import (  # noqa: F401  (the package's interface)
    Line,
    Table,
    adopters_not_shown,
    tables,
)
