"""Sign-in events go to the audit log (Django's auth signals are the only hook for them), and a disabled account's
sessions end (a signal catches every way an account is disabled: the admin, a service, a command)."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.contrib.sessions.models import Session
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

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


# --- disabling an account ends its sessions ---------------------------------------------------------------------
# Wherever ``is_active`` is turned off (the admin, a service, a management command), the user's sessions are deleted
# at once and the account's disabling is audited. Django's ModelBackend already refuses an inactive user on their next
# request; deleting the sessions means nothing of theirs is left to be reused, and the middleware ends any session a
# bulk update (which sends no signal) left behind.
_WAS_ACTIVE = "_was_active"
# Set on the instance by whoever disables the account with a request in hand (the admin): the actor of the event.
DISABLED_BY = "_disabled_by"


@receiver(pre_save, sender=User)
def _remember_whether_active(sender, instance: User, raw: bool = False, update_fields=None, **kwargs):
    setattr(instance, _WAS_ACTIVE, False)
    if raw or instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        return  # a new account, or a save that cannot change it (signing in saves last_login alone)
    was = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    setattr(instance, _WAS_ACTIVE, bool(was))


@receiver(post_save, sender=User)
def _end_sessions_of_a_disabled_account(sender, instance: User, created: bool, raw: bool = False, **kwargs):
    if raw or created or instance.is_active or not getattr(instance, _WAS_ACTIVE, False):
        return
    end_sessions(instance)
    audit.record(
        actor=getattr(instance, DISABLED_BY, None),
        action=AuditEvent.Action.ACCOUNT_DISABLED,
        object_type=instance._meta.label_lower,
        object_id=instance.pk,
    )


def end_sessions(user: User) -> int:
    """Delete every unexpired session signed in as ``user``; how many were deleted.

    Sessions are stored signed, not indexed by user, so each live one is decoded: the idle limit (30 minutes) keeps
    their number to the people working now.
    """
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)
