"""What an API client may do: the scope each API operation needs, decided in one table, and the audit of every call.

An LA's API client holds some of the scopes in ``ApiScope`` (chosen by an administrator when it is registered).
Every API operation needs one scope, looked up in ``SCOPES`` by the operation's route under ``/api/v1/`` (the
longest matching prefix wins) and by whether its method is safe (a read) or not (a write). A route that is not in
the table is refused to every client: a new endpoint is closed until someone decides what it needs here
(``tests/api/test_clients_and_scopes.py`` fails until every API route in the URLconf has its line).

Staff signed in to the pages may call the API too; for them nothing here applies (their roles and their
organisations decide, in the selectors and services, exactly as on the pages).

Every call by a client is written to the audit trail here, with the client, once per request: allowed
(``read`` for a safe method, ``create`` for POST, ``update`` otherwise) or refused for want of a scope
(``access_refused``). The event names the method and the path, never the query string or the body (which may hold
children's details); what the call then read or changed is recorded by the selectors and services as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from rest_framework.permissions import SAFE_METHODS, BasePermission

from adoption import audit
from adoption.models import ApiClient, ApiScope, AuditEvent

API_ROOT: Final = "api/v1/"


@dataclass(frozen=True)
class Rule:
    """The scopes the operations under ``prefix`` (a route under ``/api/v1/``) need.

    ``read`` is for safe methods (GET, HEAD, OPTIONS), ``write`` for the rest; ``None`` means no scope is needed.
    ``why`` says why, so the choice is written down where it is made.
    """

    prefix: str
    read: ApiScope | None
    write: ApiScope | None
    why: str


# The one table. Prefixes are routes under /api/v1/ as the URLconf writes them.
SCOPES: Final[tuple[Rule, ...]] = (
    Rule("schema/", None, None, "The OpenAPI schema describes the operations and holds no records."),
    Rule(
        "children/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "The LA's children and everything under a child's record.",
    ),
    Rule(
        "sibling-groups/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "Sibling groups are groups of the LA's children, part of their records: the children's scopes.",
    ),
    Rule(
        "matches/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "A match is the LA's children's side of a family's match (read only today), part of the children's "
        "journeys: the children's scopes.",
    ),
    Rule(
        "placements/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "An adoptive placement is one child's side of a match (read only today), part of the child's journey: the "
        "children's scopes.",
    ),
    Rule(
        "ssda903/",
        ApiScope.IMPORT_903,
        ApiScope.IMPORT_903,
        "Uploading an LA's SSDA903 files and reading their import's status and preview are one job: the status "
        "shows the changes the upload would make, so it needs the import scope, not children:read.",
    ),
    Rule(
        "panel-items/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "A panel's business about the LA's children (their plans and matches) is part of the children's records.",
    ),
    Rule(
        "asf-applications/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "Adoption Support Fund applications are made for the LA's adopted children.",
    ),
    Rule(
        "households/",
        ApiScope.READ_CHILDREN,
        ApiScope.WRITE_CHILDREN,
        "Households are the families children are matched with, read and changed with the children's journeys, so "
        "they take the children's scopes. (An LA's client sees no household today: households belong to the "
        "approving agencies, and tenancy gives an LA's client none; the scope matters if that ever changes.)",
    ),
    Rule(
        "returns/",
        ApiScope.READ_REPORTS,
        ApiScope.READ_REPORTS,
        "Quarterly returns: asking for one to be made (a POST that starts its job) is reading a report too.",
    ),
    Rule(
        "scorecards/",
        ApiScope.READ_REPORTS,
        ApiScope.READ_REPORTS,
        "Adoption scorecards: asking for one to be made is reading a report too.",
    ),
    Rule(
        "codes/",
        None,
        None,
        "The SSDA903 reference code lists are the same for every LA and hold no records, so any authenticated "
        "client may read them, whatever its scopes (a token is still needed: the API answers no one without one).",
    ),
)


class Unmapped(Exception):
    """An API route that ``SCOPES`` does not cover (refused to every client)."""


def rule_for(route: str) -> Rule:
    """The rule of an API route (``"api/v1/children/<int:child_id>/"`` or the same without ``api/v1/``)."""
    route = route.lstrip("/")
    if route.startswith(API_ROOT):
        route = route[len(API_ROOT) :]
    matching = [rule for rule in SCOPES if route.startswith(rule.prefix)]
    if not matching:
        raise Unmapped(route)
    return max(matching, key=lambda rule: len(rule.prefix))


def required_scope(route: str, method: str) -> ApiScope | None:
    """The scope a call of ``method`` on ``route`` needs (``None``: none); ``Unmapped`` for a route not in the table."""
    rule = rule_for(route)
    return rule.read if method.upper() in SAFE_METHODS else rule.write


_ACTIONS = {"POST": AuditEvent.Action.CREATE}


def _record_call(client: ApiClient, request: Any, *, refused: bool) -> None:
    method = request.method.upper()
    if refused:
        action = AuditEvent.Action.ACCESS_REFUSED
    elif method in SAFE_METHODS:
        action = AuditEvent.Action.READ
    else:
        action = _ACTIONS.get(method, AuditEvent.Action.UPDATE)
    audit.record(
        actor=client,
        action=action,
        object_type="api_call",
        object_id=f"{method} {request.path}"[:64],
        organisation_id=client.organisation_id,
    )


class HasScope(BasePermission):
    """Lets an API client call an operation only if it holds the scope ``SCOPES`` gives it; audits the call."""

    message = "This API client may not call this operation."

    def has_permission(self, request: Any, view: Any) -> bool:
        client = request.user
        if not isinstance(client, ApiClient):
            return True  # staff signed in: their roles decide, as on the pages
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None else request.path_info
        try:
            needed = required_scope(route, request.method)
        except Unmapped:
            self.message = "This operation is not open to API clients."
            _record_call(client, request, refused=True)
            return False
        if needed is not None and needed.value not in (client.scopes or []):
            self.message = f"This API client does not have the {needed.value} scope this operation needs."
            _record_call(client, request, refused=True)
            return False
        _record_call(client, request, refused=False)
        return True
