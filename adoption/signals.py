"""Sign-in events go to the audit log. (Django's auth signals are the only hook for them.)"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from adoption import audit
from adoption.models import AuditEvent, User


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    audit.record(actor=user, action=AuditEvent.Action.SIGN_IN, obj=user)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(actor=user, action=AuditEvent.Action.SIGN_OUT, obj=user)


def _user_named(username: str | None) -> User | None:
    return User.objects.filter(username=username).first() if username else None


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    user = _user_named(credentials.get("username"))
    audit.record(
        actor=None,
        action=AuditEvent.Action.SIGN_IN_FAILED,
        object_type="adoption.user",
        object_id=user.pk if user else "",
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    user = _user_named(username)
    audit.record(
        actor=None, action=AuditEvent.Action.LOCKED_OUT, object_type="adoption.user", object_id=user.pk if user else ""
    )
