"""Bearer tokens for LA API clients: random, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from adoption.models import ApiClient

TOKEN_PREFIX = "raa"  # noqa: S105  (a label, not a secret)


def hash_token(token: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """Return ``(prefix, token)``; the prefix finds the client, the whole token proves it."""
    prefix = secrets.token_hex(4)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme != self.keyword:
            return None
        # The random part is URL-safe base64, which may itself contain "_": split off two fields only.
        parts = token.strip().split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            raise exceptions.AuthenticationFailed("The API token is malformed.")
        client = ApiClient.objects.select_related("organisation").filter(token_prefix=parts[1]).first()
        if client is None or not hmac.compare_digest(client.token_hash, hash_token(token.strip())):
            raise exceptions.AuthenticationFailed("The API token is not valid.")
        now = timezone.now()
        if client.revoked_at is not None:
            raise exceptions.AuthenticationFailed("The API token has been revoked.")
        if client.expires_at <= now:
            raise exceptions.AuthenticationFailed("The API token has expired.")
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client, token

    def authenticate_header(self, request):
        return self.keyword


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiClientTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A token issued to one local authority's API client, sent as `Authorization: Bearer <token>`."
            ),
        }
