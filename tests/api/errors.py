"""The API's one error shape, as every API test checks it."""

from __future__ import annotations


def assert_error_shape(response, status: int) -> dict:
    """``response`` has ``status`` and the body ``{"message": <non-empty text>, "extra": {...}}``; returns it."""
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "extra"}
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["extra"], dict)
    return body
