# The retention guard of 0011 extended to every row of a child's, a family's and a panel's record, and legal holds
# enforced by the database on the row and on every record it is part of.
#
# 0011 guarded the records themselves (a child, a family, a match, a meeting) and their main rows; the other rows of
# those records (periods of care and their 903 episodes, links, disruptions, checks, support work, agenda papers...)
# could still be deleted by SQL typed by hand, and a hold on a child was checked by Python only when the child's rows
# went with another record's disposal. Here:
#
# * ``adoption_retention_parents(table, id)``: the records a row is part of, one level up (its foreign keys to kept
#   tables, written out below in ``PARENTS``; and a match is part of the records of the children placed through it).
# * ``adoption_retention_lineage(table, id)``: the row and every record above it, up to the child, the family or the
#   meeting. ``adoption_retention_held(table, id)``: a hold in force on any of them.
# * ``adoption_retention_due``: unchanged for 0011's tables; any other kept row is kept as long as the longest of the
#   records it is part of (the rule 0011 gave agenda items), and a support request that names neither a child nor a
#   family (an adult adoptee, a school) 10 years after it was closed (the agency's own period, as for families that
#   never adopted in 0011).
# * One guard for every kept table (0011's function, replaced): work in progress that is not yet a record goes
#   (an item taken off a future agenda; an invitation or attendance corrected before the minutes are final); a row
#   under a hold, its own or a record's it is part of, never goes; any other only with an approved disposal naming it,
#   whose date has passed. The check on the disposal rows themselves reads the same holds.

from importlib import import_module

from django.db import migrations

# What each kept table's rows are part of: (the column, the kept table it refers to). A row is kept as long as the
# longest of these records and a hold on any of them (or on theirs, up to the child, the family or the meeting)
# keeps it. Tables with no entry are the records themselves: children, families, meetings.
PARENTS: dict[str, list[tuple[str, str]]] = {
    # A child's record (Adoption Agencies Regulations 2005 reg. 41; the Care Planning regulations 2010 reg. 50).
    "children_periodofcare": [("child_id", "children_child")],
    "children_episode": [("period_id", "children_periodofcare")],
    "children_adoptiondecision": [("child_id", "children_child")],
    "children_placementorder": [("child_id", "children_child")],
    "children_permanenceoutcome": [("child_id", "children_child")],
    "children_familyfindingstatus": [("child_id", "children_child")],
    "children_featuring": [("child_id", "children_child")],
    "children_proceedingstracking": [("child_id", "children_child")],
    "children_childpermanencereport": [("child_id", "children_child")],
    # The child's and the family's.
    "children_earlypermanenceplacement": [("child_id", "children_child"), ("household_id", "adopters_household")],
    "children_link": [("child_id", "children_child"), ("household_id", "adopters_household")],
    "children_match": [("household_id", "adopters_household")],  # and its children's: see MATCH_CHILDREN
    "children_adoptiveplacement": [
        ("child_id", "children_child"),
        ("household_id", "adopters_household"),
        ("match_id", "children_match"),
    ],
    "children_disruption": [("placement_id", "children_adoptiveplacement")],
    "children_learningaction": [("disruption_id", "children_disruption")],
    # A family's record.
    "adopters_applicant": [("household_id", "adopters_household")],
    "adopters_check": [("applicant_id", "adopters_applicant")],
    "adopters_pause": [("household_id", "adopters_household")],
    "adopters_availability": [("household_id", "adopters_household")],
    "adopters_review": [("household_id", "adopters_household")],
    # A panel's record, and through each item the records of the family or child it was about.
    "panels_panelattendance": [("meeting_id", "panels_panelmeeting")],
    "panels_meetingminutes": [("meeting_id", "panels_panelmeeting")],
    "panels_agendaitem": [
        ("meeting_id", "panels_panelmeeting"),
        ("household_id", "adopters_household"),
        ("link_id", "children_link"),
        ("match_id", "children_match"),
        ("child_id", "children_child"),
        ("disruption_id", "children_disruption"),
    ],
    "panels_agendapaper": [("item_id", "panels_agendaitem")],
    "panels_paperrating": [("paper_id", "panels_agendapaper")],
    "panels_attendeefeedback": [("item_id", "panels_agendaitem")],
    # Adoption support: the child's and the family's (Adoption Support Services Regulations 2005).
    "support_supportrequest": [("child_id", "children_child"), ("household_id", "adopters_household")],
    "support_assessmentofneed": [("request_id", "support_supportrequest")],
    "support_supportplan": [("assessment_id", "support_assessmentofneed")],
    "support_asfapplication": [("child_id", "children_child"), ("request_id", "support_supportrequest")],
    "support_lifestorywork": [("child_id", "children_child")],
}

# A match refers to its family only; its children are those placed through it (as adoption_retention_match_due).
MATCH_CHILDREN = """
    SELECT 'children_child', p.child_id FROM children_adoptiveplacement p
     WHERE p_table = 'children_match' AND p.match_id = p_id"""

_0011 = import_module("adoption.migrations.0011_retention_holds_disposals_and_delete_guard")

# Every kept table: the records (no parents) and their rows.
KEPT_TABLES = ("children_child", "adopters_household", "panels_panelmeeting", *PARENTS)
# The tables 0011 did not guard yet.
NEW_TABLES = tuple(table for table in KEPT_TABLES if table not in _0011.KEPT_TABLES)

PARENTS_SQL = (
    "CREATE FUNCTION adoption_retention_parents(p_table text, p_id bigint)\n"
    "RETURNS TABLE (parent_table text, parent_id bigint) LANGUAGE sql STABLE AS $$"
    + "\n    UNION ALL".join(
        [
            f"\n    SELECT '{parent}', x.{column} FROM {table} x"
            f"\n     WHERE p_table = '{table}' AND x.id = p_id AND x.{column} IS NOT NULL"
            for table, columns in PARENTS.items()
            for column, parent in columns
        ]
        + [MATCH_CHILDREN]
    )
    + "\n$$;\n"
)

RULES_SQL = r"""
-- The row and every record it is part of, up to the child, the family or the meeting.
CREATE FUNCTION adoption_retention_lineage(p_table text, p_id bigint)
RETURNS TABLE (record_table text, record_id bigint) LANGUAGE sql STABLE AS $$
    WITH RECURSIVE up(t, i) AS (
        SELECT p_table, p_id
        UNION
        SELECT p.parent_table, p.parent_id FROM up CROSS JOIN LATERAL adoption_retention_parents(up.t, up.i) p
    )
    SELECT t, i FROM up
$$;

-- A legal hold in force on the row or on a record it is part of (a hold on a child keeps its periods of care,
-- episodes, placements, matches and panel items; a hold on a family its applicants and their checks).
CREATE FUNCTION adoption_retention_held(p_table text, p_id bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM adoption_retention_lineage(p_table, p_id) l
          JOIN adoption_legalhold h ON h.table_name = l.record_table AND h.object_id = l.record_id
         WHERE h.released_at IS NULL)
$$;

CREATE OR REPLACE FUNCTION adoption_retention_due(p_table text, p_id bigint) RETURNS date LANGUAGE sql STABLE AS $$
    SELECT CASE p_table
        -- 0011's rules, unchanged.
        WHEN 'children_child' THEN adoption_retention_child_due(p_id)
        WHEN 'children_adoptiondecision' THEN
            (SELECT adoption_retention_child_due(x.child_id) FROM children_adoptiondecision x WHERE x.id = p_id)
        WHEN 'children_placementorder' THEN
            (SELECT adoption_retention_child_due(x.child_id) FROM children_placementorder x WHERE x.id = p_id)
        WHEN 'children_adoptiveplacement' THEN
            (SELECT adoption_retention_child_due(x.child_id) FROM children_adoptiveplacement x WHERE x.id = p_id)
        WHEN 'children_permanenceoutcome' THEN
            (SELECT adoption_retention_child_due(x.child_id) FROM children_permanenceoutcome x WHERE x.id = p_id)
        WHEN 'children_match' THEN adoption_retention_match_due(p_id)
        WHEN 'adopters_household' THEN adoption_retention_household_due(p_id)
        WHEN 'adopters_applicant' THEN
            (SELECT adoption_retention_household_due(x.household_id) FROM adopters_applicant x WHERE x.id = p_id)
        WHEN 'panels_panelmeeting' THEN adoption_retention_meeting_due(p_id)
        WHEN 'panels_agendaitem' THEN adoption_retention_agendaitem_due(p_id)
        WHEN 'panels_meetingminutes' THEN
            (SELECT adoption_retention_meeting_due(x.meeting_id) FROM panels_meetingminutes x WHERE x.id = p_id)
        -- A support request about no child or family on record (an adult adoptee, a school): 10 years after it was
        -- closed (the agency's own period), no date while it is open.
        WHEN 'support_supportrequest' THEN
            (SELECT COALESCE(
                 GREATEST(adoption_retention_child_due(x.child_id), adoption_retention_household_due(x.household_id)),
                 (x.closed_on + interval '10 years')::date,
                 'infinity'::date)
               FROM support_supportrequest x WHERE x.id = p_id)
        -- Any other kept row: as long as the longest of the records it is part of.
        ELSE (SELECT max(adoption_retention_due(p.parent_table, p.parent_id))
                FROM adoption_retention_parents(p_table, p_id) p)
    END
$$;

-- The delete guard, now on every kept table (0011's, replaced). Row-level, so TRUNCATE (the test suite's flush
-- between transactional tests) is not affected.
CREATE OR REPLACE FUNCTION adoption_retention_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    due date;
BEGIN
    -- Work in progress that is not yet a record. An item taken off the agenda before its meeting, with no
    -- recommendation or decision (its papers, if any, hold it by their own foreign key).
    IF TG_TABLE_NAME = 'panels_agendaitem' THEN
        IF OLD.recommendation = '' AND OLD.decision = ''
           AND (SELECT held_on FROM panels_panelmeeting WHERE id = OLD.meeting_id) >= adoption_today() THEN
            RETURN OLD;
        END IF;
    END IF;
    -- An invitation withdrawn, or an attendance corrected, while the meeting's minutes are not yet final.
    IF TG_TABLE_NAME = 'panels_panelattendance' THEN
        IF NOT EXISTS (SELECT 1 FROM panels_meetingminutes m
                        WHERE m.meeting_id = OLD.meeting_id AND m.status = 'final') THEN
            RETURN OLD;
        END IF;
    END IF;
    -- A legal hold on the row, or on any record it is part of, keeps it whatever else is true.
    IF adoption_retention_held(TG_TABLE_NAME, OLD.id) THEN
        RAISE EXCEPTION 'Record %:% is on legal hold (itself or a record it is part of): it cannot be removed',
            TG_TABLE_NAME, OLD.id
            USING ERRCODE = 'integrity_constraint_violation', HINT = 'Release the hold on the retention page first.';
    END IF;
    -- Otherwise only an approved disposal removes it: a row for this exact record, whose date the database checked
    -- when the row was written (adoption_disposedrow's guard) and checks again now.
    IF EXISTS (
        SELECT 1 FROM adoption_disposedrow r JOIN adoption_disposalrequest d ON d.id = r.request_id
         WHERE r.table_name = TG_TABLE_NAME AND r.object_id = OLD.id AND d.status = 'approved'
           AND d.decided_by_id <> d.requested_by_id AND r.due_on <= adoption_today()
    ) THEN
        RETURN OLD;
    END IF;
    due := adoption_retention_due(TG_TABLE_NAME, OLD.id);
    RAISE EXCEPTION 'Record %:% is kept until %: it can only be removed by an approved disposal',
        TG_TABLE_NAME, OLD.id, CASE WHEN due IS NULL OR due = 'infinity' THEN 'a date is known' ELSE due::text END
        USING ERRCODE = 'integrity_constraint_violation', HINT = 'Ask for its disposal on the retention page.';
END
$$;

-- A disposed row is written only for a record whose date has passed and that is not on hold, itself or through a
-- record it is part of (0011's, replaced).
CREATE OR REPLACE FUNCTION adoption_disposedrow_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.due_on := adoption_retention_due(NEW.table_name, NEW.object_id);
    IF NEW.due_on IS NULL OR NEW.due_on > adoption_today() THEN
        RAISE EXCEPTION 'Record %:% cannot be disposed of before %', NEW.table_name, NEW.object_id,
            COALESCE(NULLIF(NEW.due_on, 'infinity')::text, 'a date is known')
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF adoption_retention_held(NEW.table_name, NEW.object_id) THEN
        RAISE EXCEPTION 'Record %:% is on legal hold (itself or a record it is part of)', NEW.table_name, NEW.object_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;
"""

GUARDS_SQL = "\n".join(
    f"CREATE TRIGGER adoption_retention_guard BEFORE DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION adoption_retention_guard();"
    for table in NEW_TABLES
)


def _as_in_0011(function: str) -> str:
    """0011's own CREATE statement of ``function``, to put it back on the way down."""
    rules = _0011.RULES_SQL
    start = rules.index(f"CREATE FUNCTION {function}(")
    end = rules.index("\n$$;", start) + len("\n$$;")
    return rules[start:end].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


REVERSE_SQL = "\n".join(
    [
        *(f"DROP TRIGGER IF EXISTS adoption_retention_guard ON {table};" for table in NEW_TABLES),
        _as_in_0011("adoption_disposedrow_check"),
        _as_in_0011("adoption_retention_guard"),
        _as_in_0011("adoption_retention_due"),
        "DROP FUNCTION IF EXISTS adoption_retention_held(text, bigint);",
        "DROP FUNCTION IF EXISTS adoption_retention_lineage(text, bigint);",
        "DROP FUNCTION IF EXISTS adoption_retention_parents(text, bigint);",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("adoption", "0011_retention_holds_disposals_and_delete_guard"),
        ("adopters", "0006_household_postcode"),
        ("children", "0007_matches_and_fee_rates"),
        ("panels", "0004_joint_panels"),
        ("support", "0002_asf_limits"),
    ]

    operations = [migrations.RunSQL(PARENTS_SQL + RULES_SQL + GUARDS_SQL, REVERSE_SQL)]
