"""One whole run: read, check, plan and (when asked and nothing blocks) apply."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from adoption.models import Organisation
from children.ssda903.importer.apply import execute, plan_digest
from children.ssda903.importer.constants import MAX_PROBLEMS_KEPT, PHASE_APPLY, PHASE_IMPORT, PHASE_PREVIEW, STALE
from children.ssda903.importer.dfe import DfeCheck, _merge
from children.ssda903.importer.plan import plan_import
from children.ssda903.importer.steps import ChildPlan
from children.ssda903.reader import Problem, Tables

# --- one whole run -----------------------------------------------------------------------------------


@dataclass
class Report:
    """What a run found and did; ``result()`` is what a job stores and the pages and API show."""

    phase: str
    la: Organisation
    tables: Tables
    problems: list[Problem]
    plans: list[ChildPlan]
    collection_year: str = ""
    rules_not_run: list[str] = field(default_factory=list)
    applied: bool = False

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]

    @property
    def digest(self) -> str:
        return plan_digest(self.plans)

    def result(self) -> dict[str, Any]:
        counts = {
            status: sum(1 for p in self.plans if p.status == status) for status in ("new", "changed", "unchanged")
        }
        changes = [
            {
                "child": plan.child,
                "child_id": plan.child_id or plan.created_id,
                "status": plan.status,
                "changes": [step.text for step in plan.ordered()],
            }
            for plan in self.plans
            if plan.steps
        ]
        blocking = len(self.blocking)
        return {
            "phase": self.phase,
            "la_id": self.la.pk,
            "la_name": self.la.name,
            "format": self.tables.format,
            "files": [
                {"name": name, "table": table, "rows": len(self.tables.rows[table])}
                for table, name in self.tables.sources.items()
            ],
            "collection_year": self.collection_year,
            "problems": [p.as_dict() for p in self.problems[:MAX_PROBLEMS_KEPT]],
            "problem_count": len(self.problems),
            "blocking_count": blocking,
            "warning_count": len(self.problems) - blocking,
            "summary": {
                "children": len(self.plans),
                **counts,
                "changes": sum(len(plan.steps) for plan in self.plans),
            },
            "changes": changes,
            "plan_digest": self.digest,
            "can_apply": blocking == 0 and bool(changes) and self.phase == PHASE_PREVIEW,
            "applied": self.applied,
            "dfe_rules_not_run": self.rules_not_run,
        }


def run_import(
    *,
    actor: Any,
    la: Organisation,
    tables: Tables,
    dfe: DfeCheck | None,
    phase: str,
    expected_digest: str | None = None,
) -> Report:
    """Plan and dry-run (``phase`` preview) or apply (apply, import) an upload already read and DfE-checked."""
    report = Report(
        phase,
        la,
        tables,
        [],
        [],
        collection_year=dfe.collection_year if dfe else "",
        rules_not_run=dfe.rules_not_run if dfe else [],
    )
    own = list(tables.problems)
    if not tables.blocking:
        report.plans = plan_import(actor=actor, la=la, tables=tables)
        for plan in report.plans:
            own.extend(plan.problems)
            own.extend(plan.warnings)
    report.problems = _merge(own, dfe.problems if dfe else [])
    if report.blocking:
        return report
    commit = phase in (PHASE_APPLY, PHASE_IMPORT)
    if not any(plan.steps for plan in report.plans):
        report.applied = commit  # nothing to change: the record already says what the files say
        return report
    if expected_digest is not None and report.digest != expected_digest:
        report.problems.insert(
            0,
            Problem(
                STALE,
                "The children's records changed after the preview, so what would change is no longer what you "
                "confirmed. Nothing was changed: upload the files again to see a new preview",
            ),
        )
        return report
    refused = execute(report.plans, actor=actor, la=la, commit=commit)
    report.problems = _merge(refused + [p for p in report.problems if p.source != "dfe"], dfe.problems if dfe else [])
    report.applied = commit and not refused
    return report
