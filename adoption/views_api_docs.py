"""The API documentation page for integrators: the OpenAPI schema at ``/api/v1/schema/``, rendered as HTML.

The page is made from the very schema object the schema endpoint serves (drf-spectacular's generator, built once per
process), so it cannot drift from the API: every operation with its method and path, summary and description, the
scope it needs (looked up in ``adoption.api_scopes.SCOPES``, the table that decides it), its parameters, the fields
of its request body, its responses by status and the examples the schema holds. It is server-rendered with GOV.UK
Frontend classes and no script or inline style (the content security policy forbids both). Any signed-in user may
read it; it holds no records.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from adoption import api_scopes
from adoption.models import ApiScope

API_VERSION = "v1"
METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER_PLACES = {"path": "Path", "query": "Query", "header": "Header"}


# --- the page's content --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """A parameter or a body field: where it goes (for parameters), its name, type, whether needed, and what it is."""

    name: str
    place: str
    type: str
    required: bool
    description: SafeString


@dataclass(frozen=True)
class Example:
    title: str
    json: str


@dataclass(frozen=True)
class Variant:
    """One shape a request body may take (a body of one of several types has one each; ``title`` names it)."""

    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Body:
    """A request body: its media types, its schema's name, its shapes' fields, and the examples the schema holds."""

    media_types: tuple[str, ...]
    schema_name: str
    variants: tuple[Variant, ...]
    required: bool
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Response:
    status: str
    description: SafeString
    schema_name: str
    headers: tuple[Field, ...]
    examples: tuple[Example, ...]


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: SafeString
    scope: str
    scope_label: str
    scope_why: str
    deprecated: bool
    parameters: tuple[Field, ...]
    body: Body | None
    responses: tuple[Response, ...]


@dataclass(frozen=True)
class Group:
    """The operations of one tag (a group of paths), in the schema's order."""

    tag: str
    anchor: str
    operations: tuple[Operation, ...]


@dataclass(frozen=True)
class ScopeRow:
    prefix: str
    read: str
    write: str
    why: str


@dataclass(frozen=True)
class Docs:
    title: str
    version: str
    description: SafeString
    groups: tuple[Group, ...]
    scopes: tuple[ScopeRow, ...]
    scope_names: tuple[tuple[str, str], ...]
    operation_count: int


# --- reading the schema --------------------------------------------------------------------------------------------

_CODE = re.compile(r"``?([^`]+?)``?")


def _text(value: str | None) -> SafeString:
    """Schema prose as HTML: escaped, with `code` in <code> and blank lines making paragraphs."""
    paragraphs = [part.strip() for part in (value or "").split("\n\n") if part.strip()]
    return format_html_join(
        "",
        '<p class="govuk-body">{}</p>',
        ((SafeString(_CODE.sub(r"<code>\1</code>", str(escape(part)))),) for part in paragraphs),
    )


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return dict(components.get(_ref_name(schema["$ref"]), {}))
    return schema


def _type(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A schema's type in words: ``string (date)``, ``array of ChildOutput``, ``one of: F, M``, ``or null``."""
    if "$ref" in schema:
        target = components.get(_ref_name(schema["$ref"]), {})
        if "enum" in target:
            return _type(target, components)
        return _ref_name(schema["$ref"])
    for combinator in ("oneOf", "anyOf", "allOf"):
        if combinator in schema:
            parts = [_type(part, components) for part in schema[combinator]]
            parts = [part for part in parts if part]
            return " or ".join(parts) if combinator != "allOf" else " and ".join(parts)
    if "enum" in schema:
        values = [value for value in schema["enum"] if value not in ("", None)]
        if not values:
            return "empty" if "" in schema["enum"] else "null"
        words = "one of: " + ", ".join(str(value) for value in values)
    else:
        kind = schema.get("type", "any")
        if kind == "array":
            words = "array of " + _type(schema.get("items", {}), components)
        elif schema.get("format"):
            words = f"{kind} ({schema['format']})"
        else:
            words = str(kind)
    if schema.get("nullable"):
        words += ", or null"
    return words


def _parameters(operation: dict[str, Any], components: dict[str, Any]) -> tuple[Field, ...]:
    order = list(PARAMETER_PLACES)
    parameters = sorted(
        (parameter for parameter in operation.get("parameters", []) if parameter.get("in") in PARAMETER_PLACES),
        key=lambda parameter: order.index(parameter["in"]),
    )
    return tuple(
        Field(
            name=parameter["name"],
            place=PARAMETER_PLACES[parameter["in"]],
            type=_type(parameter.get("schema", {}), components),
            required=bool(parameter.get("required")),
            description=_text(parameter.get("description")),
        )
        for parameter in parameters
    )


def _examples(content: dict[str, Any]) -> tuple[Example, ...]:
    found: list[Example] = []
    for media in content.values():
        for name, example in (media.get("examples") or {}).items():
            item = Example(
                example.get("summary") or name, json.dumps(example.get("value"), indent=2, ensure_ascii=False)
            )
            if item not in found:
                found.append(item)
        if "example" in media:
            item = Example("Example", json.dumps(media["example"], indent=2, ensure_ascii=False))
            if item not in found:
                found.append(item)
    return tuple(found)


def _schema_of(content: dict[str, Any]) -> dict[str, Any]:
    return next((media["schema"] for media in content.values() if "schema" in media), {})


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> tuple[Field, ...]:
    """The fields an object schema takes in a request (read-only ones are left out)."""
    required = set(schema.get("required", []))
    return tuple(
        Field(
            name=name,
            place="Body",
            type=_type(field, components),
            required=name in required,
            description=_text(field.get("description")),
        )
        for name, field in schema.get("properties", {}).items()
        if not field.get("readOnly")
    )


def _body(operation: dict[str, Any], components: dict[str, Any]) -> Body | None:
    request_body = operation.get("requestBody")
    if not request_body:
        return None
    content = request_body.get("content", {})
    schema = _schema_of(content)
    resolved = _resolve(schema, components)
    if "oneOf" in resolved:
        # One of several shapes, told apart by a discriminator field: each shape's fields, under its value.
        discriminator = resolved.get("discriminator", {})
        values = {_ref_name(ref): value for value, ref in discriminator.get("mapping", {}).items()}
        variants = []
        for part in resolved["oneOf"]:
            name = _ref_name(part.get("$ref", ""))
            title = name
            if name in values:
                title = f"{discriminator['propertyName']}: {values[name]} ({name})"
            variants.append(Variant(title, _fields(_resolve(part, components), components)))
    else:
        variants = [Variant("", _fields(resolved, components))]
    return Body(
        media_types=tuple(content),
        schema_name=_ref_name(schema["$ref"]) if "$ref" in schema else _type(schema, components),
        variants=tuple(variants),
        required=bool(request_body.get("required")),
        examples=_examples(content),
    )


def _responses(operation: dict[str, Any], components: dict[str, Any]) -> tuple[Response, ...]:
    responses = []
    for status, response in sorted(operation.get("responses", {}).items()):
        content = response.get("content", {})
        schema = _schema_of(content)
        headers = tuple(
            Field(
                name=name,
                place="Header",
                type=_type(header.get("schema", {}), components),
                required=False,
                description=_text(header.get("description")),
            )
            for name, header in (response.get("headers") or {}).items()
        )
        responses.append(
            Response(
                status=status,
                description=_text(response.get("description")),
                schema_name=_type(schema, components) if schema else "",
                headers=headers,
                examples=_examples(content),
            )
        )
    return tuple(responses)


def _scope(path: str, method: str) -> tuple[str, str, str]:
    """The scope a call needs (its value and label, or "none"), and why, from ``api_scopes.SCOPES``."""
    try:
        rule = api_scopes.rule_for(path)
    except api_scopes.Unmapped:
        return "unavailable", "Refused to every client: no scope decided yet", ""
    scope = api_scopes.required_scope(path, method)
    if scope is None:
        return "none", "Any client with a token", rule.why
    return scope.value, ApiScope(scope).label, rule.why


def _anchor(*parts: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")


def _scope_word(scope: ApiScope | None) -> str:
    return scope.value if scope is not None else "none"


def build_docs(schema: dict[str, Any]) -> Docs:
    """The page's content from an OpenAPI schema (a pure function of the schema)."""
    components = schema.get("components", {}).get("schemas", {})
    grouped: dict[str, list[Operation]] = {}
    count = 0
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            count += 1
            scope, label, why = _scope(path, method)
            tag = (operation.get("tags") or ["other"])[0]
            grouped.setdefault(tag, []).append(
                Operation(
                    method=method.upper(),
                    path=path,
                    anchor=_anchor(method, path),
                    summary=operation.get("summary", ""),
                    description=_text(operation.get("description")),
                    scope=scope,
                    scope_label=label,
                    scope_why=why,
                    deprecated=bool(operation.get("deprecated")),
                    parameters=_parameters(operation, components),
                    body=_body(operation, components),
                    responses=_responses(operation, components),
                )
            )
    info = schema.get("info", {})
    return Docs(
        title=info.get("title", "API"),
        version=info.get("version", ""),
        description=_text(info.get("description")),
        groups=tuple(Group(tag, _anchor("group", tag), tuple(ops)) for tag, ops in sorted(grouped.items())),
        scopes=tuple(
            ScopeRow(rule.prefix, _scope_word(rule.read), _scope_word(rule.write), rule.why)
            for rule in api_scopes.SCOPES
        ),
        scope_names=tuple((scope.value, scope.label) for scope in ApiScope),
        operation_count=count,
    )


@functools.cache
def api_schema() -> dict[str, Any]:
    """The OpenAPI schema of ``/api/v1/``, as the schema endpoint serves it (made once per process)."""
    return SchemaGenerator(api_version=API_VERSION).get_schema(request=None, public=True)


@functools.cache
def api_docs() -> Docs:
    return build_docs(api_schema())


# --- the page --------------------------------------------------------------------------------------------------------


@require_GET
@login_required
def api_docs_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "api_docs/index.html",
        {"docs": api_docs(), "rate_limit": settings.API_RATE_LIMIT},
    )
