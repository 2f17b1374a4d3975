# Each adopted child's dates as the scorecard reads them (``ChildAdoptionDates``), kept by the database.
#
# The scorecard's measures (A1, A10, A2, A3) and the dashboard read, for every child adopted in a period, the current
# adoptive placement, the period of care the child moved in from and the placement order the match followed. Looked
# up per child by correlated subqueries, that was most of the scorecard's time at national scale. Here:
#
# * ``children_adoption_dates_of(ids)``: the rows of those children (the adopted ones among them), computed from the
#   source tables, with the meaning ``children.selectors.measures.adoptions_in_period`` and
#   ``children.selectors.scorecard.scorecard_adoptions`` document.
# * ``children_adoption_dates_refresh(ids)``: replaces those children's rows with freshly computed ones, holding the
#   children's rows locked so that two transactions changing one child's records refresh it one after the other.
# * Statement-level AFTER triggers with transition tables on every source table, which refresh the children the
#   statement touched (old and new child ids: a row moved to another child changes both), once per statement, so a
#   bulk import costs one set-based refresh and not one per row. A child's own update only moves its row to its new
#   responsible LA; a child deleted takes its row with it.
# * The rows of the data already there.
#
# Derived data, not a record: the table has no foreign key constraints (a disposal deletes the child's rows and the
# child in any order within its transaction, and the triggers follow) and no retention guard or change history.
# Loaders that write with ``session_replication_role = replica`` (which skips these triggers) call
# ``children_adoption_dates_refresh`` themselves at the end (``reporting.national``).

import django.db.models.deletion
from django.db import migrations, models

FUNCTIONS_SQL = r"""
CREATE FUNCTION children_adoption_dates_of(p_ids bigint[])
RETURNS TABLE (
    child_id bigint, responsible_la_id bigint, adoption_order_on date, moved_in_on date,
    moved_in_with_carers_on date, entered_care_on date, matched_on date, with_foster_carers boolean,
    order_for_match_on date, order_for_match_before_records boolean
) LANGUAGE sql STABLE AS $$
    SELECT c.id, c.responsible_la_id, o.made_on, ap.placed_on, ap.moved_in_with_carers_on, pc.known_start,
           ap.matched_on, ap.with_foster_carers,
           COALESCE(po_before.made_on, po_after.made_on),
           COALESCE(po_before.made_before_records, po_after.made_before_records)
      FROM children_permanenceoutcome o
      JOIN children_child c ON c.id = o.child_id
      -- The current placement: begun and not ended, the latest begun (then the latest recorded).
      LEFT JOIN LATERAL (
          SELECT p.placed_on, p.moved_in_with_carers_on, p.matched_on, p.with_foster_carers
            FROM children_adoptiveplacement p
           WHERE p.child_id = c.id AND p.placed_on IS NOT NULL AND p.ended_on IS NULL
           ORDER BY p.placed_on DESC, p.id DESC LIMIT 1) ap ON true
      -- The period of care the child moved in from; its start unknown when it began before the returns held.
      LEFT JOIN LATERAL (
          SELECT CASE WHEN NOT pc.start_before_records THEN pc.started_on END AS known_start
            FROM children_periodofcare pc
           WHERE pc.child_id = c.id AND pc.started_on <= ap.placed_on
           ORDER BY pc.started_on DESC LIMIT 1) pc ON true
      -- The placement order the match followed: the latest on or before it, else the first after it.
      LEFT JOIN LATERAL (
          SELECT po.made_on, po.made_before_records FROM children_placementorder po
           WHERE po.child_id = c.id AND po.made_on <= ap.matched_on
           ORDER BY po.made_on DESC LIMIT 1) po_before ON true
      LEFT JOIN LATERAL (
          SELECT po.made_on, po.made_before_records FROM children_placementorder po
           WHERE po.child_id = c.id AND po.made_on > ap.matched_on
           ORDER BY po.made_on LIMIT 1) po_after ON true
     WHERE o.kind = 'adoption_order' AND o.child_id = ANY(p_ids)
$$;

CREATE FUNCTION children_adoption_dates_refresh(p_ids bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF p_ids IS NULL OR cardinality(p_ids) = 0 THEN
        RETURN;
    END IF;
    -- One refresh of a child at a time: a transaction that changes a child's rows while another has changed them
    -- and not committed waits here for it, then (each statement below reading what is committed by then) computes
    -- from both; without the lock it would write a row missing the other's change, or collide with its row.
    -- Row locks, not advisory ones: an import's thousands of children would fill the shared lock table.
    PERFORM 1 FROM children_child WHERE id = ANY(p_ids) ORDER BY id FOR NO KEY UPDATE;
    DELETE FROM children_childadoptiondates WHERE child_id = ANY(p_ids);
    INSERT INTO children_childadoptiondates (
        child_id, responsible_la_id, adoption_order_on, moved_in_on, moved_in_with_carers_on, entered_care_on,
        matched_on, with_foster_carers, order_for_match_on, order_for_match_before_records)
    SELECT * FROM children_adoption_dates_of(p_ids);
END
$$;

-- The source tables' trigger: the children whose rows the statement inserted, changed or deleted.
CREATE FUNCTION children_adoption_dates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT n.child_id) INTO ids FROM new_rows n;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT x.child_id) INTO ids
          FROM (SELECT child_id FROM old_rows UNION SELECT child_id FROM new_rows) x;
    ELSE
        SELECT array_agg(DISTINCT o.child_id) INTO ids FROM old_rows o;
    END IF;
    PERFORM children_adoption_dates_refresh(ids);
    RETURN NULL;
END
$$;

-- The children's: a child's row follows it to another responsible LA, and goes with it.
CREATE FUNCTION children_adoption_dates_child_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        UPDATE children_childadoptiondates d SET responsible_la_id = n.responsible_la_id
          FROM new_rows n
         WHERE d.child_id = n.id AND d.responsible_la_id IS DISTINCT FROM n.responsible_la_id;
    ELSE
        DELETE FROM children_childadoptiondates d USING old_rows o WHERE d.child_id = o.id;
    END IF;
    RETURN NULL;
END
$$;
"""

SOURCE_TABLES = (
    "children_permanenceoutcome",
    "children_adoptiveplacement",
    "children_periodofcare",
    "children_placementorder",
)

TRIGGERS_SQL = "\n".join(
    [
        *(
            f"CREATE TRIGGER children_adoption_dates_{event.lower()} AFTER {event} ON {table} "
            f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION children_adoption_dates_changed();"
            for table in SOURCE_TABLES
            for event, referencing in (
                ("INSERT", "NEW TABLE AS new_rows"),
                ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
                ("DELETE", "OLD TABLE AS old_rows"),
            )
        ),
        "CREATE TRIGGER children_adoption_dates_update AFTER UPDATE ON children_child "
        "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION children_adoption_dates_child_changed();",
        "CREATE TRIGGER children_adoption_dates_delete AFTER DELETE ON children_child "
        "REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT "
        "EXECUTE FUNCTION children_adoption_dates_child_changed();",
    ]
)

FILL_SQL = """
SELECT children_adoption_dates_refresh(
    ARRAY(SELECT child_id FROM children_permanenceoutcome WHERE kind = 'adoption_order'));
ANALYZE children_childadoptiondates;
"""

REVERSE_SQL = "\n".join(
    [
        *(
            f"DROP TRIGGER IF EXISTS children_adoption_dates_{event} ON {table};"
            for table in (*SOURCE_TABLES, "children_child")
            for event in ("insert", "update", "delete")
        ),
        "DROP FUNCTION IF EXISTS children_adoption_dates_child_changed();",
        "DROP FUNCTION IF EXISTS children_adoption_dates_changed();",
        "DROP FUNCTION IF EXISTS children_adoption_dates_refresh(bigint[]);",
        "DROP FUNCTION IF EXISTS children_adoption_dates_of(bigint[]);",
    ]
)


class Migration(migrations.Migration):
    dependencies = [
        ("adoption", "0012_retention_guard_on_every_record_row_and_holds_on_owners"),
        ("children", "0007_matches_and_fee_rates"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChildAdoptionDates",
            fields=[
                (
                    "child",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="adoption_dates",
                        serialize=False,
                        to="children.child",
                    ),
                ),
                ("adoption_order_on", models.DateField()),
                ("moved_in_on", models.DateField(null=True)),
                ("moved_in_with_carers_on", models.DateField(null=True)),
                ("entered_care_on", models.DateField(null=True)),
                ("matched_on", models.DateField(null=True)),
                ("with_foster_carers", models.BooleanField(null=True)),
                ("order_for_match_on", models.DateField(null=True)),
                ("order_for_match_before_records", models.BooleanField(null=True)),
                (
                    "responsible_la",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="adoption.organisation",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "child adoption dates",
                "indexes": [
                    models.Index(fields=["responsible_la", "adoption_order_on"], name="adoption_dates_la_order_idx")
                ],
            },
        ),
        migrations.RunSQL(FUNCTIONS_SQL + TRIGGERS_SQL, REVERSE_SQL),
        migrations.RunSQL(FILL_SQL, migrations.RunSQL.noop),
    ]
