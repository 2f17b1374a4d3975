"""Pages of life story work and later life letters: every placed child, each child's work, and its steps.

The list answers 403 to anyone who works on no LA's adoption support; a child or a record outside the
actor's LAs answers 404 (from the selector), as if it did not exist; a change by someone who only reads
the LA's support (an administrator) answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adoption.concurrency import with_version
from adoption.forms import GovukForm, VersionedForm
from support import access
from support.forms import life_story as forms
from support.models import LifeStoryWork
from support.selectors import life_story as selectors
from support.services import life_story as services

PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])
Kind = LifeStoryWork.Kind


def _form_page(request: HttpRequest, form: GovukForm, *, title: str, back: str, caption: str, **extra: Any):
    context = {"form": form, "title": title, "back": back, "caption": caption, "button": "Save", **extra}
    return render(request, "form_page.html", context)


def _rows(children: list[Any]) -> list[dict[str, Any]]:
    """Each child with its two records' columns, in the order of the kinds."""
    return [
        {
            "child": child,
            "work": [
                {
                    "kind": kind,
                    "state": getattr(child, f"{prefix}_state"),
                    "label": selectors.State.LABELS[getattr(child, f"{prefix}_state")],
                    "overdue": getattr(child, f"{prefix}_overdue"),
                    "due_on": getattr(child, f"{prefix}_due_on"),
                    "started_on": getattr(child, f"{prefix}_started_on"),
                    "completed_on": getattr(child, f"{prefix}_completed_on"),
                    "worker": getattr(child, f"{prefix}_worker"),
                }
                for prefix, kind in selectors.KINDS
            ],
        }
        for child in children
    ]


@access.support_page
def life_story_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    las = selectors.support_las(request.user)
    filters = forms.FilterForm(request.GET or None, las=las)
    values = filters.values()
    only_missing = request.GET.get("missing") == "1"
    children = selectors.placed_children(actor=request.user, today=today, only_missing=only_missing, **values)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "support/life_story/list.html",
        {
            "filters": filters,
            "counts": selectors.counts(actor=request.user, today=today, la_id=values["la_id"]),
            "page": page,
            "rows": _rows(list(page.object_list)),
            "kinds": Kind.choices,
            "missing": only_missing,
            "filtered": bool(values["state"] or values["la_id"]),
            "query": query.urlencode(),
            "today": today,
        },
    )


@login_required
def life_story_child(request: HttpRequest, child_id: int) -> HttpResponse:
    today = timezone.localdate()
    child = selectors.child_get(actor=request.user, child_id=child_id, today=today)
    work = [
        {
            "kind": kind,
            "kind_label": Kind(kind).label,
            "record": child.work[kind],  # type: ignore[attr-defined]
            "state": getattr(child, f"{prefix}_state"),
            "label": selectors.State.LABELS[getattr(child, f"{prefix}_state")],
            "overdue": getattr(child, f"{prefix}_overdue"),
            "schedule_url": reverse(f"support:life-story-schedule-{prefix}", args=[child.pk]),
        }
        for prefix, kind in selectors.KINDS
    ]
    return render(
        request,
        "support/life_story/child.html",
        {
            "child": child,
            "work": work,
            "today": today,
            "can_write": access.may_write_support(request.user, la_id=child.responsible_la_id),
        },
    )


def _child_back(child_id: int) -> str:
    return reverse("support:life-story-child", args=[child_id])


@login_required
@GET_POST
def life_story_schedule(request: HttpRequest, child_id: int, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404("No such kind of life story work.")
    child = selectors.child_get(actor=request.user, child_id=child_id, today=timezone.localdate(), record_read=False)
    access.require_writer(request.user, child.responsible_la_id)
    record = child.work[kind]  # type: ignore[attr-defined]
    label = Kind(kind).label
    if not child.is_placed:  # type: ignore[attr-defined]
        messages.info(request, f"{child.full_name} is not placed for adoption: life story work is for placed children")
        return redirect(_child_back(child.pk))
    if record is not None and record.completed_on is not None:
        messages.info(request, f"The {label.lower()} is done: there is nothing to schedule")
        return redirect(_child_back(child.pk))
    default = services.default_due_on(
        kind=kind,
        placed_on=child.placed_on,  # type: ignore[attr-defined]
        adoption_order_on=child.adoption_order_on,  # type: ignore[attr-defined]
    )
    initial = {"due_on": record.due_on if record else default, "worker": record.worker_id if record else None}
    initial = with_version(initial, record)  # a change made by someone else since is not overwritten
    form = forms.ScheduleForm(request.POST or None, initial=initial, workers=selectors.workers(child.responsible_la_id))
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        saved = form.run(
            lambda: services.life_story_work_schedule(actor=request.user, child_id=child.pk, kind=kind, **kwargs),
        )
        if saved is not None:
            messages.success(request, f"The {label.lower()} is due by {saved.due_on.day} {saved.due_on:%B %Y}")
            return redirect(_child_back(child.pk))
    rule = (
        "by the date of the adoption order, or 6 months after the child moved in if there is no order yet"
        if kind == Kind.LIFE_STORY_BOOK
        else "10 working days after the adoption order, or 3 months after the child moved in if there is no order yet"
    )
    about = f"Usually due {rule}: for {child.first_name}, {default.day} {default:%B %Y}. You can set another date."
    title = f"Change when the {label.lower()} is due" if record else f"Schedule the {label.lower()}"
    return _form_page(request, form, title=title, back=_child_back(child.pk), caption=child.full_name, about=about)


def _work_for_write(request: HttpRequest, work_id: int) -> LifeStoryWork:
    work = selectors.work_get(actor=request.user, work_id=work_id)
    access.require_writer(request.user, work.child.responsible_la_id)
    return work


def _work_step(
    request: HttpRequest,
    work: LifeStoryWork,
    form: GovukForm,
    *,
    save: Callable[..., LifeStoryWork],
    done: Callable[[LifeStoryWork], str],
    title: str,
    **extra: Any,
) -> HttpResponse:
    """A form page for one step of a record: on a valid POST, ``save`` is called with the form's data and the
    child's page is shown with ``done(saved)``; otherwise the form again (with the service's refusal). The form
    carries the record's version in its ``initial`` (a change made by someone else since the page was opened is
    not overwritten: ``adoption.concurrency``), which goes to ``save``."""
    back = _child_back(work.child_id)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if isinstance(form, VersionedForm):
            kwargs["expected_version"] = form.expected_version
        saved = form.run(lambda: save(actor=request.user, work_id=work.pk, **kwargs))
        if saved is not None:
            messages.success(request, done(saved))
            return redirect(back)
    return _form_page(request, form, title=title, back=back, caption=work.child.full_name, **extra)


@login_required
@GET_POST
def life_story_start(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_for_write(request, work_id)
    what = work.get_kind_display().lower()
    return _work_step(
        request,
        work,
        forms.StartForm(request.POST or None, initial=with_version({"started_on": work.started_on}, work)),
        save=services.life_story_work_start,
        done=lambda saved: f"The {what} is in progress",
        title=f"Record when the {what} started",
    )


@login_required
@GET_POST
def life_story_complete(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_for_write(request, work_id)
    what = work.get_kind_display().lower()
    return _work_step(
        request,
        work,
        forms.CompleteForm(request.POST or None, initial=with_version({"completed_on": work.completed_on}, work)),
        save=services.life_story_work_complete,
        done=lambda saved: f"The {what} is done",
        title=f"Record the {what} done",
        problem="" if work.started_on else "Record the date the work started first.",
    )


@login_required
@GET_POST
def life_story_worker(request: HttpRequest, work_id: int) -> HttpResponse:
    work = _work_for_write(request, work_id)
    what = work.get_kind_display().lower()

    def done(saved: LifeStoryWork) -> str:
        if saved.worker:
            return f"The {what} is allocated to {saved.worker.display_name}"
        return f"No one is allocated to the {what}"

    workers = selectors.workers(work.child.responsible_la_id)
    return _work_step(
        request,
        work,
        forms.WorkerForm(request.POST or None, initial=with_version({"worker": work.worker_id}, work), workers=workers),
        save=services.life_story_work_allocate,
        done=done,
        title=f"Who is doing the {what}",
    )
