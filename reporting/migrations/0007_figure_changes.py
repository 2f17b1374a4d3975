# The changes to the records that figures are computed from, logged by the database (``reporting.FigureChange``).
#
# The managers' dashboard computes some forty aggregates over an area's children and families. They change only
# when the records behind them do, so the page keeps them in the cache under a key that is the version of every
# organisation they read (``reporting.figure_versions``). Here the database keeps those versions, so that no
# write, by the services, a bulk import or a statement by hand, can leave a cached figure stale:
#
# * ``reporting_figures_changed()``: a statement-level AFTER trigger function with transition tables. Its argument
#   says where a table's rows name their organisation: a column of the row (a child's responsible LA, a
#   household's approving agency, an adopted child's kept dates' LA), the child the row is of (``child_id``: that
#   child's responsible LA), or ``reference`` (data every figure may read: one row with no organisation). For
#   each organisation the statement touched (old and new rows: a record moved to another LA changes both), it adds
#   a row the first time in the transaction (a transaction-local setting lists those already logged), so an
#   import's thousands of statements cost one row per LA.
# * The triggers on every table the dashboard's queries read (``tests/reporting/test_figure_versions.py`` checks
#   that list against the tables its queries name).
# * A first row with no organisation: a database made afresh has a version of its own, never that of another
#   database whose figures a shared cache may still hold.
#
# Loaders that write with ``session_replication_role = replica`` (which skips triggers) log a reference change
# themselves at the end (``reporting.national``).

import django.db.models.functions.datetime
from django.db import migrations, models

FUNCTION_SQL = r"""
CREATE FUNCTION reporting_figures_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    how text := TG_ARGV[0];
    logged text := coalesce(current_setting('reporting.figures_logged', true), '');
    touched bigint[];
    query text;
BEGIN
    IF how = 'reference' THEN
        IF position(',reference,' IN logged) = 0 THEN
            INSERT INTO reporting_figurechange (organisation_id, changed_at) VALUES (NULL, clock_timestamp());
            PERFORM set_config('reporting.figures_logged', logged || ',reference,', true);
        END IF;
        RETURN NULL;
    END IF;
    IF how = 'child_id' THEN
        query := 'SELECT c.responsible_la_id FROM %1$s r JOIN children_child c ON c.id = r.child_id';
    ELSE
        query := 'SELECT r.' || quote_ident(how) || ' FROM %1$s r';
    END IF;
    IF TG_OP = 'INSERT' THEN
        query := format(query, 'new_rows');
    ELSIF TG_OP = 'DELETE' THEN
        query := format(query, 'old_rows');
    ELSE
        query := format(query, 'new_rows') || ' UNION ' || format(query, 'old_rows');
    END IF;
    EXECUTE 'SELECT array_agg(DISTINCT t.id) FROM (' || query || ') t(id) '
            'WHERE t.id IS NOT NULL AND position('','' || t.id || '','' IN $1) = 0'
       INTO touched USING logged;
    IF touched IS NOT NULL THEN
        INSERT INTO reporting_figurechange (organisation_id, changed_at)
        SELECT unnest(touched), clock_timestamp();
        PERFORM set_config(
            'reporting.figures_logged', logged || ',' || array_to_string(touched, ',,') || ',', true);
    END IF;
    RETURN NULL;
END
$$;
"""

# Each table the figures read, and where its rows name their organisation.
WATCHED = (
    ("children_child", "responsible_la_id"),
    ("children_childadoptiondates", "responsible_la_id"),
    ("children_adoptiondecision", "child_id"),
    ("children_placementorder", "child_id"),
    ("children_adoptiveplacement", "child_id"),
    ("children_permanenceoutcome", "child_id"),
    ("children_periodofcare", "child_id"),
    ("adopters_household", "approving_agency_id"),
    ("adoption_organisation", "reference"),
    ("reporting_scorecardthreshold", "reference"),
    ("reporting_englandfigure", "reference"),
)
EVENTS = (
    ("insert", "INSERT", "NEW TABLE AS new_rows"),
    ("update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ("delete", "DELETE", "OLD TABLE AS old_rows"),
)

TRIGGERS_SQL = "\n".join(
    f"CREATE TRIGGER reporting_figures_{name} AFTER {event} ON {table} REFERENCING {referencing} "
    f"FOR EACH STATEMENT EXECUTE FUNCTION reporting_figures_changed('{how}');"
    for table, how in WATCHED
    for name, event, referencing in EVENTS
)
REVERSE_SQL = "\n".join(
    [
        *(f"DROP TRIGGER reporting_figures_{name} ON {table};" for table, _how in WATCHED for name, _e, _r in EVENTS),
        "DROP FUNCTION reporting_figures_changed();",
    ]
)
FIRST_SQL = "INSERT INTO reporting_figurechange (organisation_id, changed_at) VALUES (NULL, clock_timestamp());"


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0006_alter_englandfigure_period_end"),
        ("children", "0009_alter_siblinggroup_name_alter_siblinggroupevent_name"),
        ("adopters", "0009_alter_household_name_alter_householdevent_name"),
        ("adoption", "0012_retention_guard_on_every_record_row_and_holds_on_owners"),
    ]

    operations = [
        migrations.CreateModel(
            name="FigureChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("organisation_id", models.BigIntegerField(blank=True, null=True)),
                ("changed_at", models.DateTimeField(db_default=django.db.models.functions.datetime.Now())),
            ],
            options={
                "indexes": [models.Index(fields=["organisation_id", "id"], name="figure_change_org_idx")],
            },
        ),
        migrations.RunSQL(FUNCTION_SQL + TRIGGERS_SQL, REVERSE_SQL),
        migrations.RunSQL(FIRST_SQL, migrations.RunSQL.noop),
    ]
