"""Every form of the service, fed generated input: any text (unicode, NULs, very long), odd dates, numbers out of
range, choices that do not exist, fields missing and fields added. A form either validates or reports errors on its
fields; it never raises. Then the same through the pages: generated posts to every page that has a form, signed in
as someone who may use it, never give a server error, and a refused post changes nothing in the database.

The forms are found by importing every module of the service's apps (``forms`` modules and packages, and forms
defined in views), so a new form is fuzzed as soon as it exists, or fails here if it cannot be built.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable, Iterator
from datetime import date
from html.parser import HTMLParser
from io import StringIO
from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adopters.models import Applicant, Household
from adoption.models import Job, Organisation, User
from adoption.periods import FinancialQuarter
from children.models import AdoptivePlacement, Child
from panels.feedback import PaperToRate
from panels.models import AgendaItem, AttendeeFeedback, PanelMember, PanelRole
from reporting.views_sufficiency import Area
from tests import factories

pytestmark = pytest.mark.django_db

APPS = ("adoption", "adopters", "children", "panels", "support", "reporting")
EXAMPLES_PER_FORM = 25
EXAMPLES_PER_PAGE = 5
FUZZ = settings(
    max_examples=EXAMPLES_PER_FORM,
    deadline=None,
    derandomize=True,  # the same examples on every run, so CI is reproducible
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- what to send ------------------------------------------------------------------------------------------------

# Text a person (or a script) can send: any character a request can carry (no lone surrogates: a request's
# bytes are decoded to text first), NULs and control characters, markup, formulas, and odd numbers and dates.
TRICKY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n\t",
    "0",
    "-1",
    "-0",
    "1e309",
    "NaN",
    "inf",
    "9" * 40,
    "-" + "9" * 40,
    "2147483648",
    "9223372036854775808",
    "1.0000000000000000000001",
    "٣",
    "\uff12\uff10\uff12\uff14",  # 2024 in full-width digits
    "31",
    "32",
    "13",
    "29",
    "2024",
    "0001",
    "9999",
    "10000",
    "2024-02-30",
    "30/02/2024",
    "24:00",
    "9:99",
    "<script>alert(1)</script>",
    '=HYPERLINK("http://x","y")',
    "' OR 1=1 --",
    "Zoë Doré-O'Brien",
    "👩‍👩‍👧",
    "\u202eevil",
    "x" * 5000,
]
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=60),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
)


def _values(choices: Any) -> list[str]:
    """The values of a field's choices (groups flattened)."""
    found: list[str] = []
    for value, label in choices or []:
        if isinstance(label, list | tuple):
            found.extend(_values(label))
        else:
            found.append(str(getattr(value, "value", value)))
    return found


def _field_value(field: forms.Field) -> st.SearchStrategy[Any]:
    """A value as a browser could send it for ``field``: a real choice (to reach the form's own checks) or anything."""
    choices = _values(getattr(field, "choices", None))
    one = st.one_of(st.sampled_from(choices), TEXT) if choices else TEXT
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return st.lists(one, max_size=4)
    return one


FILES = st.one_of(
    st.binary(max_size=200),
    st.sampled_from([b"", b"%PDF-1.7\n", b"PK\x03\x04" + b"\0" * 40, "CHILD,SEX\n=1+1,M\n".encode("utf-16")]),
)


def _form_data(form: forms.BaseForm) -> st.SearchStrategy[tuple[MultiValueDict, MultiValueDict]]:
    """Data and files for ``form``: every input optional (missing fields), plus a few inputs it does not have."""
    inputs: dict[str, st.SearchStrategy[Any]] = {}
    uploads: dict[str, st.SearchStrategy[Any]] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        if isinstance(field, forms.FileField):
            uploads[key] = FILES.map(lambda content: SimpleUploadedFile("upload.csv", content))
            continue
        names = getattr(field.widget, "widgets_names", None)
        if names:
            for suffix in names:
                inputs[key + suffix] = TEXT
        else:
            inputs[key] = _field_value(field)
    extra = st.dictionaries(st.sampled_from(["id", "pk", "la_id", "actor", "is_staff", "x" * 300]), TEXT, max_size=2)
    return st.tuples(
        st.fixed_dictionaries({}, optional=inputs),
        extra,
        st.fixed_dictionaries({}, optional=uploads),
    ).map(lambda parts: (_multi({**parts[1], **parts[0]}), _multi(parts[2])))


def _multi(values: dict[str, Any]) -> MultiValueDict:
    return MultiValueDict({k: (list(v) if isinstance(v, list) else [v]) for k, v in values.items()})


# --- every form of the service --------------------------------------------------------------------------------------


def _modules() -> Iterator[Any]:
    for app in APPS:
        package = importlib.import_module(app)
        yield package
        for found in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" in found.name or found.name.split(".")[-1] in {"settings", "wsgi", "asgi"}:
                continue
            yield importlib.import_module(found.name)


def product_forms() -> dict[str, type[forms.BaseForm]]:
    """Every form class the service defines: ``module.Class`` -> the class."""
    found: dict[str, type[forms.BaseForm]] = {}
    for module in _modules():
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return found


FORMS = product_forms()
# Bases that are never a form of their own: each subclass adds the fields their constructor expects.
BASES = {
    "children.forms.journey._WithHousehold": "MatchForm and EarlyPermanenceForm add the household it narrows",
}


def _keyword_arguments(form_class: type[forms.BaseForm]) -> dict[str, bool]:
    """The keyword-only arguments of the form's constructors (its own and its bases'): name -> required."""
    found: dict[str, bool] = {}
    for klass in form_class.__mro__:
        init = vars(klass).get("__init__")
        if init is None or klass.__module__.startswith("django."):
            continue
        for parameter in inspect.signature(init).parameters.values():
            if parameter.kind is parameter.KEYWORD_ONLY:
                found.setdefault(parameter.name, parameter.default is parameter.empty)
    return found


@pytest.fixture
def world(raa, la_a, la_b, vaa, social_worker_a, family_finder, assessing_social_worker, manager, child_a, child_b):
    """What the forms are built with, by the name of the constructor's argument, as the pages pass them."""
    household = factories.HouseholdFactory(approving_agency=raa, name="Okafor household")
    applicants = [factories.ApplicantFactory(household=household) for _ in range(2)]
    waiting = [
        factories.AdoptivePlacementFactory(child=child, household=household, placed_on=None)
        for child in (child_a, factories.ChildFactory(responsible_la=la_a))
    ]
    members = [
        PanelMember.objects.create(raa=raa, name=name, roles=[role], on_list_from=date(2024, 1, 1))
        for name, role in (("Chloe Chair", PanelRole.CHAIR), ("Ian Independent", PanelRole.INDEPENDENT))
    ]
    last = FinancialQuarter.last_complete(timezone.localdate())
    las = Organisation.objects.filter(pk__in=[la_a.pk, la_b.pk]).order_by("name")
    staff = User.objects.filter(pk__in=[social_worker_a.pk, family_finder.pk, assessing_social_worker.pk])
    return {
        "las": las,
        "workers": staff,
        "owners": staff,
        "users": staff,
        "agencies": Organisation.objects.filter(pk__in=[raa.pk, vaa.pk]),
        "organisations": Organisation.objects.filter(pk__in=[raa.pk, la_a.pk, la_b.pk]),
        "raas": [raa, factories.RaaFactory(name="Coast Adoption")],
        "applicants": Applicant.objects.filter(pk__in=[a.pk for a in applicants]),
        "households": Household.objects.filter(pk=household.pk),
        "children": Child.objects.filter(pk__in=[child_a.pk, child_b.pk]),
        "candidates": Child.objects.filter(pk=child_b.pk),
        "child": child_a,
        "waiting": list(AdoptivePlacement.objects.filter(pk__in=[p.pk for p in waiting]).select_related("child")),
        "members": members,
        "sheet": [
            PaperToRate(
                paper=SimpleNamespace(pk=7, kind="par"),  # type: ignore[arg-type]
                criteria=[("readability", "Readability"), ("evidence", "Evidence")],
            )
        ],
        "kind": AgendaItem.Kind.MATCH,
        "options": [(1, "Amelia and the Okafors"), (2, "Bertie and the Okafors")],
        "final": True,
        "areas": {
            f"raa-{raa.pk}": Area("Heartlands Adoption", frozenset({la_a.pk, la_b.pk}), raa.pk, raa.name),
            f"la-{la_a.pk}": Area("Ashby Borough", frozenset({la_a.pk}), None),
        },
        "quarters": [last, last.previous, last.previous.previous],
        "years": [last.year, last.year - 1],
    }


def test_each_base_form_is_fuzzed_through_its_subclasses():
    for base in BASES:
        subclasses = [n for n, f in FORMS.items() if n != base and issubclass(f, FORMS[base])]
        assert subclasses and not set(subclasses) & set(BASES), base


@pytest.mark.parametrize("name", sorted(set(FORMS) - set(BASES)))
def test_every_form_validates_or_reports_errors_and_never_raises(name, world):
    form_class = FORMS[name]
    arguments = _keyword_arguments(form_class)
    missing = [argument for argument in arguments if argument not in world]
    assert not missing, f"{name} takes {missing}: add how to build them to the world fixture"
    kwargs = {argument: world[argument] for argument in arguments}
    shape = form_class(**kwargs)  # unbound: the fields as the page shows them

    @FUZZ
    @given(sent=_form_data(shape))
    def check(sent: tuple[MultiValueDict, MultiValueDict]) -> None:
        data, files = sent
        form = form_class(data, files, **kwargs)
        if form.is_valid():
            assert isinstance(form.cleaned_data, dict)
        else:
            assert form.errors
            for field, messages in form.errors.items():
                assert field == "__all__" or field in form.fields, (field, messages)
                assert all(str(message).strip() for message in messages)

    check()


def test_forms_are_found_in_forms_modules_packages_and_views():
    modules = {name.rsplit(".", 1)[0] for name in FORMS}
    assert {
        "adopters.forms",
        "children.forms.journey",
        "support.forms.duty",
        "panels.forms",
        "children.ssda903.import_views",
        "reporting.views_sufficiency",
    } <= modules
    assert len(FORMS) >= 100


# --- the same through the pages --------------------------------------------------------------------------------------


class _Forms(HTMLParser):
    """The POST forms of a page: their action and their inputs (name -> the values offered, empty for free text)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._current: dict[str, Any] | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self._current = {"action": a.get("action", ""), "inputs": {}, "files": set()}
            self.forms.append(self._current)
        if self._current is None or (tag not in {"input", "select", "textarea", "option", "button"}):
            return
        inputs = self._current["inputs"]
        name = a.get("name", "")
        if tag == "select":
            self._select = name
            inputs.setdefault(name, [])
        elif tag == "option" and self._select:
            inputs[self._select].append(a.get("value", ""))
        elif tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text").lower()
            if kind == "file":
                self._current["files"].add(name)
            elif kind in {"radio", "checkbox", "hidden", "submit"}:
                inputs.setdefault(name, []).append(a.get("value", "on"))
            else:
                inputs.setdefault(name, [])
        elif tag in {"textarea", "button"} and name:
            inputs.setdefault(name, [a["value"]] if a.get("value") else [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None


def _page_forms(html: str, path: str) -> list[dict[str, Any]]:
    parser = _Forms()
    parser.feed(html)
    page = path.split("?")[0]
    return [f for f in parser.forms if f["action"] in ("", path, page, "?") and (f["inputs"] or f["files"])]


def _post_data(form: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    inputs = {
        name: (st.one_of(st.sampled_from(offered), TEXT) if offered else TEXT)
        for name, offered in form["inputs"].items()
    }
    files = {name: FILES.map(lambda content: SimpleUploadedFile("upload.pdf", content)) for name in form["files"]}
    extra = st.dictionaries(st.sampled_from(["id", "la_id", "actor", "is_superuser"]), TEXT, max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional={**inputs, **files}), extra).map(
        lambda parts: {**parts[1], **parts[0]}
    )


# Tables whose rows a refused post may still add: the audit trail (reads are audited), sessions and sign-in logs.
NOT_RECORDS = ("adoption_auditevent", "django_session", "axes_")


def database_state() -> dict[str, tuple[int, int, int]]:
    """Rows inserted, updated and deleted so far in this test's transaction, by table (but ``NOT_RECORDS``).

    PostgreSQL counts every write of the transaction (``pg_stat_xact_user_tables``), so a post that writes nothing
    leaves these counts as they were, whatever it read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables")
        return {table: tuple(counts) for table, *counts in cursor.fetchall() if not table.startswith(NOT_RECORDS)}


def _routes(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif pattern.name:
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern


PAGES = sorted(
    (route, name)
    for route, name, _pattern in _routes(get_resolver().url_patterns)
    if not route.startswith(("admin/", "api/")) and name not in {"health", "favicon"}
)

# Who is signed in to try each part of the service (the demo region's staff), first to last.
PERSONAS: dict[str, list[str | None]] = {
    "children/": ["sw.coventry", "familyfinder", "manager"],
    "ssda903/": ["sw.coventry"],
    "households/": ["assessor", "adm", "manager"],
    "panels/": ["panel.adviser", "adm", "panel.member"],
    "support/": ["support.coventry", "support", "manager"],
    "reports/": ["manager", "adm"],
    "api-clients/": ["admin"],
    "retention/": ["admin", "manager"],
    "jobs/": ["manager"],
    "sign-in/two-factor/": ["manager"],
    "sign-in/": [None],  # signed out
    "": ["manager"],
}
# Pages whose form is shown once a choice is made in the address (the kind of agenda item).
QUERIES = {"panels:item-add": "?kind=approval"}
# Pages reached only through another address first, as a visitor would (the feedback form, through its emailed link).
VIA = {"panels:feedback-form": ("panels:feedback-link", "token")}
# Pages with no form to post for any of their users, or that a fuzzer cannot reach on its own; why, for each.
_READ_ONLY = "a page to read (lists, records, reports, files): its search and filter forms are GET forms, fuzzed above"
_BUTTON = "a button that posts nothing but itself (confirm, move, remove, build, submit, revoke, sign out)"
_NO_DEMO_RECORD = "the demo region has no record in the state the form needs"
NO_FORM: dict[str, str] = {
    **dict.fromkeys(
        [
            "accessibility",
            "adopters:checks",
            "adopters:detail",
            "adopters:export",
            "adopters:list",
            "adopters:pipeline",
            "adopters:waiting",
            "api-client-detail",
            "api-clients",
            "children:detail",
            "children:disruption",
            "children:disruptions",
            "children:export",
            "children:family-finding-figures",
            "children:group-links",
            "children:group-suggested-families",
            "children:links",
            "children:list",
            "children:match-detail",
            "children:placements",
            "children:sibling-group",
            "children:suggested-families",
            "children:tracker",
            "children:waiting",
            "child-timeline-print",
            "home",
            "job-detail",
            "job-download",
            "panels:appraisals",
            "panels:dashboard",
            "panels:item",
            "panels:make-up",
            "panels:meeting",
            "panels:meetings",
            "panels:member",
            "panels:members",
            "panels:pack",
            "panels:pack-download",
            "panels:panel-report",
            "panels:paper",
            "panels:quality-report",
            "reporting:dashboard",
            "reporting:return-children-csv",
            "reporting:return-families-csv",
            "reporting:return-pdf",
            "reporting:return-xlsx",
            "reporting:runs",
            "reporting:scorecard",
            "reporting:scorecard-drilldown",
            "reporting:sufficiency",
            "retention",
            "search",
            "ssda903:import-detail",
            "support:asf",
            "support:asf-application",
            "support:asf-deadlines",
            "support:caseloads",
            "support:child-history",
            "support:duty",
            "support:life-story",
            "support:life-story-child",
            "support:request",
        ],
        _READ_ONLY,
    ),
    **dict.fromkeys(
        [
            "api-client-revoke",
            "children:sibling-group-remove-member",
            "panels:confirm",
            "panels:item-move",
            "panels:item-remove",
            "panels:pack-build",
            "reporting:scorecard-pdf",
            "session-extend",
            "sign-out",
            "support:asf-submit",
        ],
        _BUTTON,
    ),
    **dict.fromkeys(
        [
            "children:early-permanence-end",
            "retention-disposal-approve",
            "retention-disposal-refuse",
            "retention-hold-release",
        ],
        _NO_DEMO_RECORD,
    ),
    "panels:feedback-link": "the emailed link: it puts its token in the session and sends the visitor on to the form "
    "(panels:feedback-form, fuzzed there)",
    "mfa-verify": "the second step of signing in, only between the password and the code (its own tests post to it)",
}


def _objects(la: Organisation, token: str, job: Job) -> dict[str, Callable[[], Any]]:
    """How to fill each URL argument: an object of the demo region (of ``la`` where it is an LA's)."""
    from adopters.models import Check
    from adoption.models import ApiClient, DisposalRequest, LegalHold
    from children.models import Disruption, EarlyPermanencePlacement, LearningAction, Link, Match, SiblingGroup
    from panels.models import AgendaPaper, PanelMeeting
    from reporting.models import QuarterlyReturn
    from support.models import AsfApplication, AssessmentOfNeed, LifeStoryWork, SupportPlan, SupportRequest

    def first(model: type[Model], **where: Any) -> Any:
        found = model._default_manager.filter(**where).order_by("pk").first()
        return found.pk if found is not None else 0

    return {
        "child_id": lambda: first(Child, responsible_la=la),
        "group_id": lambda: first(SiblingGroup),
        "link_id": lambda: first(Link),
        "match_id": lambda: first(Match),
        "disruption_id": lambda: first(Disruption),
        "action_id": lambda: first(LearningAction),
        "placement_id": lambda: first(EarlyPermanencePlacement, child__responsible_la=la),
        "household_id": lambda: first(Household),
        "applicant_id": lambda: first(Applicant),
        "check_id": lambda: first(Check),
        "member_id": lambda: first(PanelMember),
        "meeting_id": lambda: first(PanelMeeting),
        "item_id": lambda: first(AgendaItem),
        "paper_id": lambda: first(AgendaPaper),
        "token": lambda: token,
        "request_id": lambda: first(SupportRequest, la=la),
        "assessment_id": lambda: first(AssessmentOfNeed),
        "plan_id": lambda: first(SupportPlan),
        "application_id": lambda: first(AsfApplication),
        "work_id": lambda: first(LifeStoryWork),
        "job_id": lambda: str(job.pk),
        "return_id": lambda: first(QuarterlyReturn),
        "client_id": lambda: first(ApiClient),
        "measure": lambda: "timeliness",
        "hold_id": lambda: first(LegalHold),
        "retention/ request_id": lambda: first(DisposalRequest),
    }


def _fuzz_page(client, name: str, path: str, form: dict[str, Any]) -> int:
    """Post generated data to one form of a page; the number of posts made."""
    posts = []

    @settings(FUZZ, max_examples=EXAMPLES_PER_PAGE)
    @given(sent=_post_data(form))
    def post(sent: dict[str, Any]) -> None:
        before = database_state()
        response = client.post(path, sent)
        posts.append(response.status_code)
        assert response.status_code < 500, (name, sent)
        if response.status_code in (200, 400, 403, 404, 405, 409, 422):
            assert database_state() == before, f"{name} refused {sent} but changed the database"

    post()
    return len(posts)


@pytest.fixture
def demo_region(db) -> dict[str, User]:
    call_command("load_demo", seed=2026, stdout=StringIO())
    return {user.username: user for user in User.objects.all()}


def test_posting_generated_data_to_every_page_gives_no_server_error_and_a_refusal_changes_nothing(client, demo_region):
    from panels import feedback

    coventry = demo_region["sw.coventry"].memberships.get().organisation
    item = AgendaItem.objects.order_by("-meeting__held_on").first()
    assert item is not None
    _link, token = feedback.feedback_invite(
        actor=demo_region["panel.adviser"], item_id=item.pk, respondent=AttendeeFeedback.Respondent.values[0]
    )
    job = Job.objects.create(kind=Job.Kind.DATA_PACK, organisation=coventry.raa, requested_by=demo_region["manager"])
    objects = _objects(coventry, token, job)
    fuzzed: dict[str, int] = {}
    unreached: list[str] = []
    for route, name in PAGES:
        arguments = re.findall(r"<(?:\w+:)?(\w+)>", route)
        unknown = [a for a in arguments if a not in objects]
        assert not unknown, f"{name} takes {unknown}: add how to fill them to _objects"
        fill = {a: objects.get(f"{route.split('/')[0]}/ {a}", objects[a]) for a in arguments}
        path = reverse(name, kwargs={a: value() for a, value in fill.items()}) + QUERIES.get(name, "")
        personas = next(p for prefix, p in PERSONAS.items() if route.startswith(prefix))
        page_forms: list[dict[str, Any]] = []
        for username in personas[:1] if name in NO_FORM else personas:  # a page to read: its first user suffices
            if username is None:
                client.logout()
            else:
                client.force_login(demo_region[username])
            if name in VIA:
                via, argument = VIA[name]
                client.get(reverse(via, kwargs={argument: objects[argument]()}))
            response = client.get(path)
            if response.status_code == 200 and "html" in response.get("Content-Type", ""):
                page_forms = _page_forms(response.content.decode(), path)
                if page_forms:
                    break
        if not page_forms:
            unreached.append(name)
            continue
        fuzzed[name] = sum(_fuzz_page(client, name, path, form) for form in page_forms)
    assert len(fuzzed) >= 100 and all(fuzzed.values()), fuzzed
    assert set(unreached) == set(NO_FORM), "a page's form is not fuzzed: say why in NO_FORM, or reach it"
