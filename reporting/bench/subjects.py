"""What the benchmark measures: the largest RAA by children (so national data is really exercised), its staff,
and for each page two subjects of different size (to show the query count does not grow with the data)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from adoption.models import Membership, Organisation, Role, User


class NoSubject(Exception):
    """The data has nothing to measure this on (e.g. no child with a placement order)."""


@dataclass(frozen=True)
class Region:
    raa: Organisation
    las: list[tuple[Organisation, int]]  # the RAA's LAs with their number of children, largest first

    @property
    def la_ids(self) -> frozenset[int]:
        return frozenset(la.pk for la, _count in self.las)

    @property
    def largest_la(self) -> Organisation:
        return self.las[0][0]

    @property
    def smallest_la(self) -> Organisation:
        """The LA with the fewest children, but some (an LA with none shows nothing to count)."""
        with_children = [la for la, count in self.las if count] or [la for la, _count in self.las]
        return with_children[-1]


def largest_raa() -> Region:
    raa = (
        Organisation.objects.filter(kind=Organisation.Kind.RAA, is_active=True)
        .annotate(bench_children=Count("member_las__children"))
        .order_by("-bench_children", "pk")
        .first()
    )
    if raa is None:
        raise NoSubject("There is no regional adoption agency: load the demo data first (manage.py load_demo).")
    las = (
        Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True, raa=raa)
        .annotate(bench_children=Count("children"))
        .order_by("-bench_children", "pk")
    )
    return Region(raa=raa, las=[(la, la.bench_children) for la in las])  # type: ignore[attr-defined]


def staff(organisation: Organisation, *roles: Role) -> User:
    """An active member of staff holding the first of ``roles`` that someone holds at ``organisation``."""
    for role in roles:
        membership = (
            Membership.objects.filter(organisation=organisation, role=role, is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
            .first()
        )
        if membership is not None:
            return membership.user
    names = ", ".join(role.label for role in roles)
    raise NoSubject(f"Nobody at {organisation.name} holds any of these roles: {names}.")


def smallest_and_largest(queryset, count_field: str, *, alike: tuple[str, ...] = ()) -> tuple[object, object]:
    """The rows of ``queryset`` (annotated with ``count_field``) with the fewest and the most, fewest first.

    ``alike`` names fields the two must share (a child's stage, whether a birth family's area is to be avoided): a
    page shows other sections for another kind of subject, and a section that is there or not is not the data
    growing, so only like is compared with like.
    """
    ordered = queryset.order_by(count_field, "pk")
    large = ordered.reverse().first()
    if large is not None and alike:
        ordered = ordered.filter(**{name: getattr(large, name) for name in alike})
    # The smallest with at least one (an empty subject skips the queries for what it lacks: that is not the
    # data growing), else the smallest.
    small = ordered.filter(**{f"{count_field}__gte": 1}).first() or ordered.first()
    if small is None or large is None:
        raise NoSubject(f"Nothing to measure: no {queryset.model._meta.verbose_name}.")
    return small, large
