"""The schema integrators build on: every operation shows what a successful answer looks like, every
example is one the schema itself accepts, and every error answer says what it means."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return SchemaGenerator(api_version="v1").get_schema(request=None, public=True)


def _operations(schema: dict[str, Any]):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type; ``$ref`` left to the validator's resolver."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validator(schema: dict[str, Any], body: dict[str, Any]) -> jsonschema.protocols.Validator:
    document = _json_schema({"components": copy.deepcopy(schema["components"]), **body})
    return jsonschema.Draft202012Validator(document)


def _examples(content: dict[str, Any]) -> dict[str, Any]:
    found = {name: e["value"] for name, e in content.get("examples", {}).items()}
    if "example" in content:
        found["example"] = content["example"]
    return found


def test_every_successful_answer_of_every_operation_has_an_example_or_names_its_file(schema):
    missing = []
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if not code.startswith("2") or code == "204":
                continue
            for media, content in response.get("content", {}).items():
                if media == "application/json":
                    if not _examples(content):
                        missing.append(f"{method.upper()} {path} {code}")
                elif "Content-Disposition" not in response.get("headers", {}):
                    missing.append(f"{method.upper()} {path} {code} {media} (no Content-Disposition)")
    operations = sum(1 for _ in _operations(schema))
    assert operations >= 36
    assert missing == []


def test_every_example_is_an_answer_the_schema_accepts(schema):
    checked, wrong = 0, []
    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            content = response.get("content", {}).get("application/json")
            if not content:
                continue
            validator = _validator(schema, content["schema"])
            for name, value in _examples(content).items():
                checked += 1
                for error in validator.iter_errors(value):
                    where = "/".join(str(p) for p in error.absolute_path)
                    wrong.append(f"{method.upper()} {path} {code} {name} at {where or '(top)'}: {error.message}")
    assert checked >= 60
    assert wrong == []


def test_every_request_example_is_a_body_the_schema_accepts(schema):
    checked, wrong = 0, []
    for path, method, operation in _operations(schema):
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if not content:
            continue
        validator = _validator(schema, content["schema"])
        for name, value in _examples(content).items():
            checked += 1
            wrong += [f"{method.upper()} {path} {name}: {error.message}" for error in validator.iter_errors(value)]
    assert checked >= 5
    assert wrong == []


def test_every_error_answer_says_what_it_means(schema):
    silent = [
        f"{method.upper()} {path} {code}"
        for path, method, operation in _operations(schema)
        for code, response in operation["responses"].items()
        if code[0] in "45" and not response.get("description", "").strip()
    ]
    assert silent == []


def test_the_example_checks_catch_an_example_that_breaks_the_schema(schema):
    """The checks above see a wrong example: a child whose id is a word, or a missing field."""
    content = schema["paths"]["/api/v1/children/{child_id}/"]["get"]["responses"]["200"]["content"]["application/json"]
    validator = _validator(schema, content["schema"])
    child = next(iter(_examples(content).values()))
    assert list(validator.iter_errors(child)) == []
    wrong_id = [e.message for e in validator.iter_errors({**child, "id": "twelve"})]
    assert wrong_id == ["'twelve' is not of type 'integer'"]
    without = {k: v for k, v in child.items() if k != "la_child_id"}
    assert [e.message for e in validator.iter_errors(without)] == ["'la_child_id' is a required property"]
