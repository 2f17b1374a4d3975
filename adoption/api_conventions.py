"""The API's conventions, in one place: idempotent POSTs, optimistic concurrency and rate limits.

Every API view derives from :class:`ApiView`, which applies them and documents them in the schema:

- **Idempotency-Key** (POST, optional). An API client that sends the header gets the first answer to the key
  again, with ``Idempotent-Replayed: true``, and nothing is made twice. The first successful answer is stored
  (``IdempotencyRecord``) with a SHA-256 fingerprint of the request, in the transaction that writes; a PostgreSQL
  advisory lock on the client and key makes a concurrent duplicate wait for the first and then replay it. The
  same key with another request answers 422. Keys last ``IDEMPOTENCY_HOURS``; an answer that is an error is not
  stored, so the request can be tried again with the same key. Signed-in staff (a browser) are unaffected.
- **ETag / If-Match**. A view of one object (``etag = True``) gives its GET an ``ETag``: a SHA-256 of the
  representation it returns. A view that changes one object names it (``conditional``) and says what its
  representation is now (``current_representation``): an ``If-Match`` that does not match answers 412 and
  changes nothing (the object's row is locked from the check to the write). PUT and PATCH must send
  ``If-Match`` (428 otherwise); a POST that changes an object may.
- **Rate limits**: ``ClientRateThrottle`` counts an API client's requests in Django's cache; over
  ``settings.API_RATE_LIMIT`` the answer is 429 with ``Retry-After``. Signed-in staff are not counted by it.

Every refusal is in the one error shape (``adoption.api``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from adoption.api import ERROR
from adoption.models import ApiClient, IdempotencyRecord

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
IDEMPOTENCY_HOURS = 24
MAX_KEY_LENGTH = 255
# The headers of a first answer worth giving again with its replay.
STORED_HEADERS = ("Location", "ETag")
UNSAFE_METHODS = ("post", "put", "patch", "delete")
IF_MATCH_REQUIRED = ("PUT", "PATCH")


# --- errors ----------------------------------------------------------------------------------------------------


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was used for a different request: use a new key for a new request, or send the "
        "first request again unchanged."
    )
    default_code = "idempotency_key_reused"


class KeyInUse(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still being answered: try again shortly."
    default_code = "idempotency_key_in_use"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = (
        "The record has changed since you read it (If-Match does not match its ETag): nothing was changed. "
        "Read it again and decide whether to make the change."
    )
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag from your last read of the record, so no one's change is lost."
    default_code = "precondition_required"


# --- rate limits -----------------------------------------------------------------------------------------------


class ClientRateThrottle(SimpleRateThrottle):
    """``settings.API_RATE_LIMIT`` requests per API client (e.g. "600/minute"), counted in Django's cache."""

    scope = "client"

    def get_rate(self) -> str | None:
        return getattr(settings, "API_RATE_LIMIT", None) or None

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not isinstance(request.user, ApiClient):
            return None  # signed-in staff are not counted here
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


# --- fingerprints and ETags ------------------------------------------------------------------------------------


def _canonical(data: Any) -> bytes:
    return json.dumps(data, cls=JSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def etag_of(representation: Any) -> str:
    """A strong ETag: the SHA-256 of the representation in canonical JSON."""
    return '"' + hashlib.sha256(_canonical(representation)).hexdigest() + '"'


def _file_digest(upload: Any) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def request_fingerprint(request: Request) -> str:
    """SHA-256 of what the request asks: its method, path and parsed body, each file by its name and content.
    (The raw bytes would not do: a multipart body's boundary is new on every send.)"""
    data = request.data
    body: Any
    if hasattr(data, "lists"):  # a form: every value of every field, files by name and content
        body = {name: sorted(str(v) for v in values) for name, values in data.lists()}
        body["__files__"] = {
            name: sorted([upload.name, _file_digest(upload)] for upload in request.FILES.getlist(name))
            for name in request.FILES
        }
    else:
        body = data
    return hashlib.sha256(_canonical({"method": request.method, "path": request.path, "body": body})).hexdigest()


# --- idempotent POSTs ------------------------------------------------------------------------------------------


def _lock_key(client_id: int, key: str) -> int:
    """A signed 64-bit number for ``pg_advisory_xact_lock``, from the client and key."""
    digest = hashlib.sha256(f"idempotency:{client_id}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _replay(record: IdempotencyRecord) -> Response:
    headers = {**record.response_headers, REPLAYED_HEADER: "true"}
    return Response(record.response_body, status=record.status_code, headers=headers)


def idempotent_post(
    handler: Callable[..., Response], view: APIView, request: Request, *args: Any, **kwargs: Any
) -> Response:
    """Answer a POST once per API client and ``Idempotency-Key``: a retry gets the first answer again."""
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is None or not isinstance(request.user, ApiClient):
        return handler(request, *args, **kwargs)
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise exceptions.ValidationError(
            {IDEMPOTENCY_HEADER: [f"Give a key of 1 to {MAX_KEY_LENGTH} printable characters, new for each request."]}
        )
    client: ApiClient = request.user
    fingerprint = request_fingerprint(request)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:  # a duplicate sent at the same time waits here for the first
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(client.pk, key)])
            record = IdempotencyRecord.objects.filter(client=client, key=key).first()
            if record is not None and record.created_at < timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS):
                record.delete()  # expired: the key is new again
                record = None
            if record is not None:
                if (record.fingerprint, record.method, record.path) != (fingerprint, request.method, request.path):
                    raise KeyReused()
                return _replay(record)
            response = handler(request, *args, **kwargs)
            if status.is_success(response.status_code):
                IdempotencyRecord.objects.create(
                    client=client,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    fingerprint=fingerprint,
                    status_code=response.status_code,
                    response_body=json.loads(JSONRenderer().render(response.data) or b"null"),
                    response_headers={name: response[name] for name in STORED_HEADERS if response.has_header(name)},
                )
            return response
    except IntegrityError as exc:
        # Only another writer of the same key gets here (the lock makes it rare); nothing of this request is kept.
        if IdempotencyRecord.objects.filter(client=client, key=key).exists():
            raise KeyInUse() from exc
        raise


def idempotency_records_purge(now: Any = None) -> int:
    """Delete the keys older than ``IDEMPOTENCY_HOURS``; returns how many. (Run on beat.)"""
    cutoff = (now or timezone.now()) - timedelta(hours=IDEMPOTENCY_HOURS)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


# --- optimistic concurrency ------------------------------------------------------------------------------------


def _if_match(request: Request) -> list[str] | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def conditional_write(
    handler: Callable[..., Response], view: ApiView, request: Request, *args: Any, **kwargs: Any
) -> Response:
    """Make the change only if ``If-Match`` names the object's current ETag; 412 and nothing changed otherwise."""
    tags = _if_match(request)
    if tags is None:
        if request.method in IF_MATCH_REQUIRED:
            raise PreconditionRequired()
        return handler(request, *args, **kwargs)
    with transaction.atomic():
        if view.conditional is not None:  # hold the row from the check to the write
            model, kwarg = view.conditional
            list(model._default_manager.select_for_update().filter(pk=kwargs[kwarg]).values_list("pk", flat=True))
        current = etag_of(view.current_representation(request, *args, **kwargs))
        if "*" not in tags and current not in tags:
            raise PreconditionFailed()
        return handler(request, *args, **kwargs)


# --- the schema ------------------------------------------------------------------------------------------------

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=(
        "Optional, for API clients: a key new for each request (a UUID, say). Sending the request again with the "
        "same key gives the first answer again (with `Idempotent-Replayed: true`) and makes nothing twice; the "
        f"same key with a different request answers 422. Keys are kept for {IDEMPOTENCY_HOURS} hours; an error "
        "answer is not kept."
    ),
)
REPLAYED_RESPONSE_HEADER = OpenApiParameter(
    REPLAYED_HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=["200", "201", "202"],
    description="`true` when this is the stored answer to an earlier request with the same Idempotency-Key.",
)
ETAG_RESPONSE_HEADER = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=["200"],
    description="The record's version: send it as `If-Match` with a change so it is made only to this version.",
)
ATTACHMENT_HEADER = OpenApiParameter(
    "Content-Disposition",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=["200"],
    description='`attachment; filename="..."`: the file\'s name, to save it under.',
)
RETRY_AFTER_HEADER = OpenApiParameter(
    "Retry-After",
    OpenApiTypes.INT,
    OpenApiParameter.HEADER,
    response=["429"],
    description="Seconds to wait before the next request.",
)


def _if_match_parameter(required: bool) -> OpenApiParameter:
    return OpenApiParameter(
        "If-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=required,
        description=(
            "The ETag of the record as last read. The change is made only if the record is still that version; "
            "otherwise the answer is 412 and nothing changes."
            + (" Required: without it the answer is 428." if required else " Optional.")
        ),
    )


THROTTLED_EXAMPLE = "Too many requests from this API client: try again in 12 seconds."
EXAMPLE_NAMES = {
    409: "The same key in use",
    412: "The record changed since it was read",
    422: "The key used for another request",
    428: "No If-Match",
    429: "Over the rate limit",
}


class ConventionsSchema(AutoSchema):
    """Documents the conventions on every operation: the headers and the answers 409, 412, 422, 428 and 429."""

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        view = self.view
        if self.method == "POST":
            parameters += [IDEMPOTENCY_PARAMETER, REPLAYED_RESPONSE_HEADER]
        if self.method.lower() in UNSAFE_METHODS and _is_conditional(type(view)):
            parameters.append(_if_match_parameter(self.method in IF_MATCH_REQUIRED))
        if self.method == "GET" and getattr(view, "etag", False):
            parameters.append(ETAG_RESPONSE_HEADER)
        parameters.append(RETRY_AFTER_HEADER)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        extra: dict[int, tuple[str, str]] = {
            429: ("Too many requests from this API client: wait `Retry-After` seconds.", THROTTLED_EXAMPLE)
        }
        if self.method == "POST":
            extra[409] = ("A request with the same Idempotency-Key is still being answered.", KeyInUse.default_detail)
            extra[422] = ("The Idempotency-Key was used for a different request.", KeyReused.default_detail)
        if self.method.lower() in UNSAFE_METHODS and _is_conditional(type(self.view)):
            extra[412] = (
                "If-Match does not match the record's ETag: it changed since it was read. Nothing changed.",
                PreconditionFailed.default_detail,
            )
            if self.method in IF_MATCH_REQUIRED:
                extra[428] = ("If-Match is missing.", PreconditionRequired.default_detail)
        for code, (words, message) in extra.items():
            if str(code) in responses:
                continue
            example = OpenApiExample(
                EXAMPLE_NAMES[code],
                value={"message": message, "extra": {"retry_after": 12} if code == 429 else {}},
                response_only=True,
                status_codes=[str(code)],
            )
            responses[str(code)] = self._get_response_for_code(
                OpenApiResponse(ERROR, description=words, examples=[example]), str(code), direction=direction
            )
        return responses


# --- the base of every API view --------------------------------------------------------------------------------


def _is_conditional(view_class: type[APIView]) -> bool:
    """The view changes one object whose representation it can give (so If-Match is checked)."""
    return issubclass(view_class, ApiView) and view_class.current_representation is not ApiView.current_representation


def _applying(wrapper: Callable[..., Response], handler: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(handler)
    def method(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        bound = functools.partial(handler, view)
        return wrapper(bound, view, request, *args, **kwargs)

    method._api_conventions = True  # type: ignore[attr-defined]
    return method


class ApiView(APIView):
    """The base of every API view: the conventions above, applied to each of its methods as it is defined."""

    schema = ConventionsSchema()
    # Here rather than in REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"]: DRF imports those while it defines APIView,
    # which this module derives from.
    throttle_classes = [ClientRateThrottle]
    # GET answers with an ETag (a view of one object).
    etag: ClassVar[bool] = False
    # A view that changes one object: its model and the URL keyword that holds its id (its row is locked for the
    # If-Match check); ``current_representation`` gives the object as its GET shows it.
    conditional: ClassVar[tuple[type[models.Model], str] | None] = None

    def current_representation(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in UNSAFE_METHODS:
            handler = cls.__dict__.get(name)
            if handler is None or getattr(handler, "_api_conventions", False):
                continue
            if _is_conditional(cls) or name in ("put", "patch"):
                handler = _applying(conditional_write, handler)
            if name == "post":
                # Outermost: a replay is the first answer, whatever the record has become since.
                handler = _applying(idempotent_post, handler)
            setattr(cls, name, handler)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        if (
            self.etag
            and request.method == "GET"
            and response.status_code == status.HTTP_200_OK
            and getattr(response, "data", None) is not None
        ):
            response["ETag"] = etag_of(response.data)
        return super().finalize_response(request, response, *args, **kwargs)
