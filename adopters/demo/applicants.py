"""Who applies: one or two applicants with their characteristics, the household's name and how a
couple are joined (903 LS_ADOPTR)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from adopters.demo.draws import _Draws, _weighted
from adopters.demo.plans import ApplicantPlan, Status, _Slot
from adopters.models import Applicant, Household
from adoption.demo import first_name, surname

# Heritage of adopters, roughly as approved adopters in England (most are white British), with the
# 903 ethnicity code each is recorded under.
_ADOPTER_GROUPS = (
    ("white_british", 80),
    ("white_other", 4),
    ("white_irish", 2),
    ("indian", 3),
    ("pakistani", 2),
    ("black_caribbean", 4),
    ("black_african", 3),
    ("chinese", 1),
    ("other", 1),
)
_GROUP_ETHNICITY = {
    "white_british": "WBRI",
    "white_other": "WOTH",
    "white_irish": "WIRI",
    "indian": "AIND",
    "pakistani": "APKN",
    "black_caribbean": "BCRB",
    "black_african": "BAFR",
    "chinese": "CHNE",
    "other": "OOTH",
}
# Who applies: couples of a man and a woman, same-sex couples, single applicants.
_MAKE_UP = (("man_woman", 68), ("two_men", 8), ("two_women", 8), ("single_woman", 13), ("single_man", 3))
_ORIENTATIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "man_woman": (("straight", 96), ("bisexual", 4)),
    "same_sex": (("gay_lesbian", 85), ("bisexual", 12), ("other", 3)),
    "single": (("straight", 80), ("gay_lesbian", 10), ("bisexual", 7), ("other", 3)),
}


class _Applicants(_Draws):
    """One or two applicants for each household (their checks come after)."""

    # --- applicants ---------------------------------------------------------------------------------
    def applicants(self, plan: dict[str, Any], slot: _Slot) -> list[ApplicantPlan]:
        """One or two applicants, with their characteristics (checks come after)."""
        rng = self.rng
        enquired_on: date = plan["enquired_on"]
        make_up = _weighted(rng, _MAKE_UP)
        kinds = {
            "man_woman": ("man", "woman"),
            "two_men": ("man", "man"),
            "two_women": ("woman", "woman"),
            "single_woman": ("woman",),
            "single_man": ("man",),
        }[make_up]
        orientations = _ORIENTATIONS[
            "single" if len(kinds) == 1 else "man_woman" if make_up == "man_woman" else "same_sex"
        ]
        group = _weighted(rng, _ADOPTER_GROUPS)
        family_name = surname(rng, group)
        age = rng.randint(27, 52)
        enquiry = slot.status == Status.ENQUIRY
        people = []
        for index, kind in enumerate(kinds):
            person_group = group if index == 0 or rng.random() < 0.85 else _weighted(rng, _ADOPTER_GROUPS)
            share_surname = index == 0 or rng.random() < (0.7 if make_up == "man_woman" else 0.4)
            person_age = age if index == 0 else max(24, age + rng.randint(-6, 6))
            born = enquired_on - timedelta(days=365 * person_age + rng.randint(0, 364))
            ethnicity = _GROUP_ETHNICITY[person_group]
            if enquiry and self.chance(0.6):
                ethnicity = "NOBT"  # not asked yet
            elif self.chance(0.02):
                ethnicity = "REFU"
            disability = _weighted(rng, (("yes", 6), ("no", 86), ("not_known", 8)))
            if enquiry and self.chance(0.7):
                disability = "not_known"
            orientation = _weighted(rng, orientations)
            roll = rng.random()
            if roll < (0.6 if enquiry else 0.12):
                orientation = ""  # optional to collect: not asked, or not answered
            elif roll < (0.65 if enquiry else 0.18):
                orientation = "prefer_not_to_say"
            people.append(
                ApplicantPlan(
                    first_name=first_name(rng, person_group, kind),
                    last_name=family_name if share_surname else surname(rng, person_group),
                    date_of_birth=born,
                    sex=Applicant.Sex.MALE if kind == "man" else Applicant.Sex.FEMALE,
                    ethnicity=ethnicity,
                    disability=disability,
                    sexual_orientation=orientation,
                )
            )
        return people


def _household_name(applicants: tuple[ApplicantPlan, ...]) -> str:
    surnames = list(dict.fromkeys(a.last_name for a in applicants))
    return f"{' and '.join(surnames)} household"


# How couples are joined, by make-up (903 LS_ADOPTR; weights roughly as adopters in England).
_COUPLE_STATUSES: dict[bool, tuple[tuple[str, int], ...]] = {
    False: ((Household.LegalStatus.L11, 78), (Household.LegalStatus.L3, 22)),  # a man and a woman
    True: (
        (Household.LegalStatus.L12, 45),
        (Household.LegalStatus.L2, 35),
        (Household.LegalStatus.L4, 20),
    ),  # two men or two women
}


def _legal_status(rng: random.Random, applicants: tuple[ApplicantPlan, ...]) -> str:
    """903 LS_ADOPTR for the household: single (L0) or how the couple are joined (AD1 rules 514 to 524)."""
    if len(applicants) == 1:
        return Household.LegalStatus.L0
    same_sex = len({a.sex for a in applicants}) == 1
    return _weighted(rng, _COUPLE_STATUSES[same_sex])
