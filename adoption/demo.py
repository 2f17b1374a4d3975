"""Demo region, part 1: the agencies, their staff and an API client (used by ``manage.py load_demo``).

The demo RAA is built from five real local authorities that the reference-data migration already
created; they are found by ONS code and given their DfE LA numbers. Everything here is fixed (no
randomness), so the logins printed by the command are always the same.

Also here, because every app's demo builder needs them and ``adoption`` is the app all others may
import: pools of names by heritage, so that children and adopters get names that fit their
recorded ethnicity. They are plain lists picked from with the caller's seeded ``random.Random``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.utils import timezone

from adoption import audit
from adoption.api_auth import hash_token, new_token
from adoption.models import ApiClient, AuditEvent, Membership, Organisation, Region, Role, User

DEMO_RAA_NAME = "Heart of England Adoption (demo)"
DEMO_VAA_NAME = "Midlands Family Adoption (demo)"
# Demo only: every demo login shares this published password.
DEMO_PASSWORD = "adoption-demo-2026"  # noqa: S105
DEMO_API_CLIENT_NAME = "Coventry case system (demo)"
API_TOKEN_DAYS = 365


class DemoDataError(Exception):
    """The database is not in a state the demo can be loaded into (the message says why)."""


@dataclass(frozen=True)
class DemoLa:
    key: str  # used in usernames, e.g. ``sw.coventry``
    ons_code: str
    la_code: str  # DfE three-digit LA number (SSDA903)
    court: str  # where its care and placement order cases are usually heard
    towns: tuple[str, ...]  # areas of residence for its households


DEMO_LAS: tuple[DemoLa, ...] = (
    DemoLa("coventry", "E08000026", "331", "Family Court at Coventry", ("Coventry", "Tile Hill", "Earlsdon")),
    DemoLa("solihull", "E08000029", "334", "Family Court at Birmingham", ("Solihull", "Shirley", "Knowle")),
    DemoLa(
        "warwickshire",
        "E10000031",
        "937",
        "Family Court at Leamington Spa",
        ("Nuneaton", "Rugby", "Leamington Spa", "Stratford-upon-Avon", "Warwick", "Bedworth"),
    ),
    DemoLa(
        "worcestershire",
        "E10000034",
        "885",
        "Family Court at Worcester",
        ("Worcester", "Redditch", "Kidderminster", "Bromsgrove", "Malvern", "Evesham"),
    ),
    DemoLa("herefordshire", "E06000019", "884", "Family Court at Hereford", ("Hereford", "Leominster", "Ross-on-Wye")),
)


@dataclass(frozen=True)
class StaffPlan:
    username: str
    first_name: str
    last_name: str
    role: Role
    organisation: str  # "raa", "vaa" or a DemoLa key
    is_staff: bool = False


STAFF: tuple[StaffPlan, ...] = (
    StaffPlan("sw.coventry", "Hannah", "Fletcher", Role.SOCIAL_WORKER, "coventry"),
    StaffPlan("sw.solihull", "Daniel", "Okoro", Role.SOCIAL_WORKER, "solihull"),
    StaffPlan("sw.warwickshire", "Priya", "Mistry", Role.SOCIAL_WORKER, "warwickshire"),
    StaffPlan("sw.worcestershire", "Gareth", "Lloyd", Role.SOCIAL_WORKER, "worcestershire"),
    StaffPlan("sw.herefordshire", "Rhiannon", "Pugh", Role.SOCIAL_WORKER, "herefordshire"),
    StaffPlan("manager.coventry", "Sandra", "Whitfield", Role.MANAGER, "coventry"),
    StaffPlan("support.coventry", "Aisha", "Begum", Role.SUPPORT_SOCIAL_WORKER, "coventry"),
    StaffPlan("familyfinder", "Chloe", "Bennett", Role.FAMILY_FINDER, "raa"),
    StaffPlan("assessor", "Marcus", "Reid", Role.ASSESSING_SOCIAL_WORKER, "raa"),
    StaffPlan("panel.adviser", "Julie", "Hartley", Role.PANEL_ADVISER, "raa"),
    StaffPlan("panel.member", "Robert", "Ashworth", Role.PANEL_MEMBER, "raa"),
    StaffPlan("adm", "Anita", "Kaur", Role.ADM, "raa"),
    StaffPlan("support", "Laura", "Jennings", Role.SUPPORT_SOCIAL_WORKER, "raa"),
    StaffPlan("manager", "Simon", "Carver", Role.MANAGER, "raa"),
    StaffPlan("admin", "Kelly", "Moss", Role.ADMINISTRATOR, "raa", is_staff=True),
    StaffPlan("vaa.assessor", "Ngozi", "Adebayo", Role.ASSESSING_SOCIAL_WORKER, "vaa"),
)

# What the demo administrator may do in the Django admin (the models registered there).
ADMIN_PERMISSIONS: tuple[tuple[str, str], ...] = tuple(
    [
        ("adoption", f"{action}_{model}")
        for model in ("organisation", "user", "membership")
        for action in ("view", "add", "change")
    ]
    + [("adoption", "view_apiclient"), ("adoption", "change_apiclient")]
    + [("adoption", "view_auditevent"), ("adoption", "view_job")]
    + [("reporting", f"{action}_scorecardthreshold") for action in ("view", "add", "change")]
)


@dataclass
class DemoOrganisations:
    raa: Organisation
    vaa: Organisation
    las: dict[str, Organisation]  # by DemoLa key

    def get(self, key: str) -> Organisation:
        if key == "raa":
            return self.raa
        if key == "vaa":
            return self.vaa
        return self.las[key]

    @property
    def las_by_ons_code(self) -> dict[str, Organisation]:
        return {la.ons_code: la for la in self.las.values()}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    name: str
    role: str  # the role's label
    organisation: str


@dataclass
class DemoAgencies:
    organisations: DemoOrganisations
    logins: list[DemoLogin]
    api_client: ApiClient
    api_token: str  # plaintext, only ever held in memory to be printed once


def demo_exists() -> bool:
    return Organisation.objects.filter(kind=Organisation.Kind.RAA, name=DEMO_RAA_NAME).exists()


def build_organisations() -> DemoOrganisations:
    """The demo RAA and VAA, and the five existing LAs joined to the RAA."""
    las = {la.ons_code: la for la in Organisation.objects.filter(ons_code__in=[d.ons_code for d in DEMO_LAS])}
    missing = [d.ons_code for d in DEMO_LAS if d.ons_code not in las]
    if missing:
        raise DemoDataError(
            f"The local authorities {', '.join(missing)} are missing: run `manage.py migrate` to load them."
        )
    wrong_kind = [las[d.ons_code].name for d in DEMO_LAS if las[d.ons_code].kind != Organisation.Kind.LA]
    if wrong_kind:
        raise DemoDataError(f"Not local authorities: {', '.join(wrong_kind)}.")
    codes_taken = (
        Organisation.objects.filter(la_code__in=[d.la_code for d in DEMO_LAS])
        .exclude(ons_code__in=[d.ons_code for d in DEMO_LAS])
        .values_list("la_code", "name")
    )
    if codes_taken:
        taken = ", ".join(f"{code} ({name})" for code, name in codes_taken)
        raise DemoDataError(f"LA codes already used by other organisations: {taken}.")

    raa = Organisation.objects.create(kind=Organisation.Kind.RAA, name=DEMO_RAA_NAME, region=Region.WEST_MIDLANDS)
    vaa = Organisation.objects.create(kind=Organisation.Kind.VAA, name=DEMO_VAA_NAME, region=Region.WEST_MIDLANDS)
    by_key: dict[str, Organisation] = {}
    for demo_la in DEMO_LAS:
        la = las[demo_la.ons_code]
        la.raa = raa
        la.region = Region.WEST_MIDLANDS
        la.la_code = demo_la.la_code
        la.is_active = True
        by_key[demo_la.key] = la
    Organisation.objects.bulk_update(by_key.values(), ["raa", "region", "la_code", "is_active"])
    return DemoOrganisations(raa=raa, vaa=vaa, las=by_key)


def build_staff(organisations: DemoOrganisations) -> list[DemoLogin]:
    """One user per entry of :data:`STAFF`, all with :data:`DEMO_PASSWORD`."""
    taken = sorted(User.objects.filter(username__in=[s.username for s in STAFF]).values_list("username", flat=True))
    if taken:
        raise DemoDataError(f"These usernames already exist: {', '.join(taken)}.")
    # Hash once and share: the hasher is deliberately slow and every demo user has the same password.
    password = make_password(DEMO_PASSWORD)
    users = User.objects.bulk_create(
        [
            User(
                username=plan.username,
                first_name=plan.first_name,
                last_name=plan.last_name,
                email=f"{plan.username}@example.org",
                password=password,
                is_staff=plan.is_staff,
            )
            for plan in STAFF
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=user, organisation=organisations.get(plan.organisation), role=plan.role)
            for user, plan in zip(users, STAFF, strict=True)
        ]
    )
    permissions = [
        permission
        for permission in Permission.objects.filter(
            content_type__app_label__in={app for app, _ in ADMIN_PERMISSIONS},
            codename__in={codename for _, codename in ADMIN_PERMISSIONS},
        )
        if (permission.content_type.app_label, permission.codename) in ADMIN_PERMISSIONS
    ]
    for user, plan in zip(users, STAFF, strict=True):
        if plan.is_staff:
            user.user_permissions.add(*permissions)
    return [
        DemoLogin(
            username=plan.username,
            name=f"{plan.first_name} {plan.last_name}",
            role=plan.role.label,
            organisation=organisations.get(plan.organisation).name,
        )
        for plan in STAFF
    ]


def existing_logins() -> list[DemoLogin]:
    """The demo logins of a region loaded earlier, read back from the database."""
    users = {u.username: u for u in User.objects.filter(username__in=[s.username for s in STAFF])}
    memberships = {
        (m.user.username, m.role): m.organisation.name
        for m in Membership.objects.filter(user__in=users.values()).select_related("user", "organisation")
    }
    return [
        DemoLogin(
            username=plan.username,
            name=f"{plan.first_name} {plan.last_name}",
            role=plan.role.label,
            organisation=memberships[(plan.username, plan.role)],
        )
        for plan in STAFF
        if (plan.username, plan.role) in memberships
    ]


def build_api_client(organisations: DemoOrganisations) -> tuple[ApiClient, str]:
    """An API client for Coventry. The token is random (it is a credential) and valid for a year from now."""
    prefix, token = new_token()
    client = ApiClient.objects.create(
        name=DEMO_API_CLIENT_NAME,
        organisation=organisations.las["coventry"],
        token_prefix=prefix,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=API_TOKEN_DAYS),
    )
    audit.record(actor=None, action=AuditEvent.Action.CREATE, obj=client, organisation_id=client.organisation_id)
    return client, token


def build() -> DemoAgencies:
    organisations = build_organisations()
    logins = build_staff(organisations)
    client, token = build_api_client(organisations)
    return DemoAgencies(organisations=organisations, logins=logins, api_client=client, api_token=token)


# --- Names -----------------------------------------------------------------------------------
# Pools by heritage: "boy"/"girl" for children, "man"/"woman" for adults, "surname".


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "white_british": {
        "boy": _words(
            "Oliver George Harry Noah Jack Leo Arthur Charlie Freddie Alfie Theo Oscar Archie Henry Thomas Joshua "
            "Jacob William Teddy Finley Riley Tommy Reggie Albie Ronnie Louie Harrison Jenson Mason Logan Tyler "
            "Ethan Max Dylan Kian Lewis Callum Bobby Jake Toby Sonny Stanley Frankie"
        ),
        "girl": _words(
            "Olivia Amelia Isla Ava Lily Freya Ivy Florence Isabella Mia Poppy Sophie Evie Grace Ella Willow Rosie "
            "Daisy Sienna Millie Ruby Harper Phoebe Esme Maisie Lola Emily Eva Matilda Elsie Bonnie Darcie Lacey "
            "Summer Ellie Holly Megan Chloe Jessica Scarlett Layla Erin"
        ),
        "man": _words(
            "James David Daniel Matthew Christopher Michael Andrew Richard Mark Paul Simon Thomas Ben Tom Adam Luke "
            "Stuart Gareth Craig Ryan Jamie Lee Robert Stephen Neil Martin Jonathan Peter Alex Chris Steven Ian "
            "Nathan Carl Darren Rob"
        ),
        "woman": _words(
            "Sarah Emma Laura Rebecca Claire Rachel Helen Nicola Gemma Kate Hannah Amy Lucy Charlotte Victoria "
            "Jennifer Louise Joanne Kerry Natalie Katie Stacey Zoe Lisa Samantha Catherine Jess Becky Vicky Alison "
            "Karen Anna Sophie Holly Jodie Kirsty"
        ),
        "surname": _words(
            "Smith Jones Taylor Brown Williams Wilson Johnson Davies Robinson Wright Thompson Evans Walker White "
            "Roberts Green Hall Wood Jackson Clarke Hughes Edwards Turner Harris Lewis Baker Hill Cooper Ward Morris "
            "Moore Clark King Harrison Morgan Allen James Scott Phillips Watson Davis Parker Price Bennett Young "
            "Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell Shaw Miller Cox Richards Fox "
            "Marshall Webb Chapman Mason Hunt Holmes Lloyd Palmer Stevens Matthews Pearson Gibson Ellis Dixon Knight "
            "Butler Barnes Russell Fisher Perkins Fowler Pritchard Hodgson Bates Sutton Whitehouse Bradley Hancock "
            "Rowley Pugh Bishop Hartley Cartwright"
        ),
    },
    "white_irish": {
        "boy": _words("Conor Sean Cian Ronan Oisin Patrick Liam Darragh"),
        "girl": _words("Niamh Aoife Ciara Saoirse Roisin Orla Siobhan Caoimhe"),
        "man": _words("Sean Declan Brendan Kieran Niall Eoin Padraig Fergal"),
        "woman": _words("Siobhan Niamh Aoife Mairead Grainne Sinead Roisin Deirdre"),
        "surname": _words("Murphy O'Brien Kelly Byrne Ryan Doyle Walsh O'Connor Gallagher"),
    },
    "white_other": {
        "boy": _words("Jakub Szymon Antoni Filip Andrei Matei Lukas Dominik Mateusz Nikola"),
        "girl": _words("Zofia Maja Hanna Lena Ioana Elena Amelia Natalia Emilia Milena"),
        "man": _words("Piotr Tomasz Marcin Andrei Mihai Darius Marek Pavel"),
        "woman": _words("Agnieszka Katarzyna Magdalena Ana Cristina Ivana Monika Daria"),
        "surname": _words(
            "Nowak Kowalski Wojcik Kaminski Lewandowski Popescu Ionescu Kazlauskas Petrov Horvat Dumitru"
        ),
    },
    "traveller": {
        "boy": _words("Johnny Patrick Tommy Michael Jimmy Martin Levi Noah"),
        "girl": _words("Bridget Mary Rosie Kathleen Margaret Nora Violet Tilly"),
        "man": _words("John Patrick Michael Thomas"),
        "woman": _words("Mary Bridget Kathleen Margaret"),
        "surname": _words("Boswell Lovell Doran McDonagh Ward Price Lee Smith Loveridge"),
    },
    "indian": {
        "boy": _words("Arjun Aarav Krish Rohan Jai Veer Dev Arav Kabir Ishaan"),
        "girl": _words("Anaya Priya Diya Saanvi Riya Meera Asha Kiran Simran Jasleen"),
        "man": _words("Rajesh Sanjay Vikram Amit Harpreet Sunil Manjit Ravi"),
        "woman": _words("Priya Neha Sunita Anjali Harjit Rupinder Meena Pooja"),
        "surname": _words("Patel Sharma Singh Gill Sandhu Mistry Chauhan Kumar Shah Bains"),
    },
    "pakistani": {
        "boy": _words("Muhammad Ibrahim Yusuf Ayaan Zayn Hamza Musa Rayyan Adam Zakariya"),
        "girl": _words("Aisha Maryam Zara Inaya Fatima Hafsa Khadija Safa Eshal Hania"),
        "man": _words("Imran Asif Tariq Sajid Naveed Kashif Adeel Zahid"),
        "woman": _words("Nadia Samina Ayesha Shazia Rubina Saima Farah Noreen"),
        "surname": _words("Khan Hussain Ahmed Ali Akhtar Iqbal Mahmood Rashid Butt Aslam"),
    },
    "bangladeshi": {
        "boy": _words("Rayan Ismail Sami Arham Ahnaf Rafi"),
        "girl": _words("Tasnim Nusrat Sumaya Ruqayyah Anisa Mahira"),
        "man": _words("Abdul Shahid Jamal Rezaul"),
        "woman": _words("Shirin Roksana Nazia Salma"),
        "surname": _words("Begum Miah Uddin Rahman Islam Chowdhury Hoque"),
    },
    "other_asian": {
        "boy": _words("Kiran Nimal Arun Sahil Bikash Tenzin"),
        "girl": _words("Tharushi Nisha Anjali Sita Pema Kavya"),
        "man": _words("Nuwan Suresh Bishnu Rohan"),
        "woman": _words("Dilini Kamala Sushila Nirmala"),
        "surname": _words("Perera Fernando Gurung Rai Silva Tamang Sivakumar"),
    },
    "black_caribbean": {
        "boy": _words("Jayden Tyrese Kai Malachi Jaylen Reuben Elijah Isaiah Theo Nathaniel"),
        "girl": _words("Jada Amara Nia Shanice Aaliyah Kianna Imani Tiana Keisha Zuri"),
        "man": _words("Marcus Andre Leon Dwayne Delroy Winston Errol Curtis"),
        "woman": _words("Michelle Natasha Simone Marcia Charmaine Beverley Donna Paulette"),
        "surname": _words("Campbell Grant Francis Reid Thomas Johnson Williams Henry Lawrence"),
    },
    "black_african": {
        "boy": _words("Tobi Kwame Emmanuel Samuel Chidi David Daniel Kofi Ayo Abdirahman"),
        "girl": _words("Ama Chioma Favour Blessing Grace Adaeze Precious Esther Ifeoma Hodan"),
        "man": _words("Kofi Tunde Emeka Joseph Olumide Kwabena Abdi Tendai"),
        "woman": _words("Abena Funmi Ngozi Esther Yetunde Chipo Amina Akosua"),
        "surname": _words("Okafor Adeyemi Mensah Osei Mohamed Abdi Nwosu Boateng Asante Moyo"),
    },
    "chinese": {
        "boy": _words("Ethan Lucas Ryan Jun Hao Ming"),
        "girl": _words("Chloe Mei Jia Lily Xin Ying"),
        "man": _words("Wei Jian Kevin Hong"),
        "woman": _words("Li Fang Ling Jenny"),
        "surname": _words("Chen Wang Li Zhang Wong Liu Lam Cheung"),
    },
    "other": {
        "boy": _words("Omar Ali Karim Yousef Hassan Aras"),
        "girl": _words("Layla Noor Yasmin Lana Rania Dilan"),
        "man": _words("Omar Karim Ahmad Rebwar"),
        "woman": _words("Leila Samira Nour Shirin"),
        "surname": _words("Hassan Ahmadi Karimi Rahimi Mustafa Aziz Haddad"),
    },
}

# Which pools fit a 903 ethnicity code; mixed heritage draws from either parent's pool.
ETHNICITY_NAME_GROUPS: dict[str, tuple[str, ...]] = {
    "WBRI": ("white_british",),
    "WIRI": ("white_irish",),
    "WIRT": ("traveller",),
    "WOTH": ("white_other",),
    "WROM": ("white_other", "traveller"),
    "MWBC": ("white_british", "black_caribbean"),
    "MWBA": ("white_british", "black_african"),
    "MWAS": ("white_british", "indian", "pakistani"),
    "MOTH": ("white_british", "other", "white_other"),
    "AIND": ("indian",),
    "APKN": ("pakistani",),
    "ABAN": ("bangladeshi",),
    "AOTH": ("other_asian",),
    "BCRB": ("black_caribbean",),
    "BAFR": ("black_african",),
    "BOTH": ("black_african", "black_caribbean"),
    "CHNE": ("chinese",),
    "OOTH": ("other",),
    "REFU": ("white_british",),
    "NOBT": ("white_british",),
}


def name_group(rng: random.Random, ethnicity: str) -> str:
    return rng.choice(ETHNICITY_NAME_GROUPS.get(ethnicity, ("white_british",)))


def first_name(rng: random.Random, group: str, kind: str) -> str:
    """``kind`` is ``boy``, ``girl``, ``man`` or ``woman``."""
    return rng.choice(NAMES[group][kind])


def surname(rng: random.Random, group: str) -> str:
    return rng.choice(NAMES[group]["surname"])
