"""SSDA903 code lists used on the child's journey.

The codes are the DfE's; the lists are the union over the collection years the validator
(PyPI ``csc-validator-be-903``) knows, so an older year's record still reads. Whether a code is
allowed in a given collection year is the validator's call, not ours.
"""

from __future__ import annotations

from django.db import models


class ReasonNewEpisode(models.TextChoices):
    """903 RNE."""

    S = "S", "Started to be looked after"
    L = "L", "Change of legal status only"
    P = "P", "Change of placement and carer(s) only"
    T = "T", "Change of placement, same carer(s)"
    U = "U", "Change of legal status and placement, same carer(s)"
    B = "B", "Change of both legal status and placement and carer(s)"


class LegalStatus(models.TextChoices):
    """903 LS."""

    C1 = "C1", "Interim care order"
    C2 = "C2", "Full care order"
    D1 = "D1", "Freeing order granted"
    E1 = "E1", "Placement order granted"
    J1 = "J1", "Remanded to local authority accommodation or youth detention accommodation"
    J2 = "J2", "Placed in local authority accommodation under PACE"
    J3 = "J3", "Sentenced to a youth rehabilitation order with residence or fostering requirement"
    L1 = "L1", "Under police protection and in local authority accommodation"
    L2 = "L2", "Emergency protection order"
    L3 = "L3", "Under a child assessment order and in local authority accommodation"
    V2 = "V2", "Single period of accommodation under section 20"
    V3 = "V3", "Accommodated under an agreed series of short-term breaks (individual episodes)"
    V4 = "V4", "Accommodated under an agreed series of short-term breaks (agreements)"


class CategoryOfNeed(models.TextChoices):
    """903 CIN."""

    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental illness or disability"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"


class PlacementType(models.TextChoices):
    """903 PLACE."""

    A3 = "A3", "Placed for adoption with consent, with current foster carer(s)"
    A4 = "A4", "Placed for adoption with consent, not with current foster carer(s)"
    A5 = "A5", "Placed for adoption with a placement order, with current foster carer(s)"
    A6 = "A6", "Placed for adoption with a placement order, not with current foster carer(s)"
    H5 = "H5", "Semi-independent living accommodation"
    K1 = "K1", "Secure children's home"
    K2 = "K2", "Children's home"
    K3 = "K3", "Supported accommodation"
    P1 = "P1", "Placed with own parent(s) or person with parental responsibility"
    P2 = "P2", "Independent living"
    P3 = "P3", "Residential employment"
    R1 = "R1", "Residential care home"
    R2 = "R2", "NHS or health trust"
    R3 = "R3", "Family centre or mother and baby unit"
    R5 = "R5", "Young offender institution or prison"
    S1 = "S1", "Residential school"
    T0 = "T0", "Temporary placement (all types)"
    T1 = "T1", "Temporary periods in hospital"
    T2 = "T2", "Temporary absence on holiday or school trip"
    T3 = "T3", "Temporary accommodation while normal foster carer is unavailable"
    T4 = "T4", "Temporary accommodation of seven days or less"
    U1 = "U1", "Foster placement with relative or friend: long-term fostering"
    U2 = "U2", "Foster placement with relative or friend who is also an approved adopter: FFA or concurrent planning"
    U3 = "U3", "Foster placement with relative or friend: not long-term or FFA"
    U4 = "U4", "Foster placement with other foster carer: long-term fostering"
    U5 = "U5", "Foster placement with other foster carer who is also an approved adopter: FFA or concurrent planning"
    U6 = "U6", "Foster placement with other foster carer: not long-term or FFA"
    Z1 = "Z1", "Other placement"
    Z11 = "Z11", "Other placement (Z11)"
    Z12 = "Z12", "Other placement (Z12)"
    Z13 = "Z13", "Other placement (Z13)"
    Z14 = "Z14", "Other placement (Z14)"


ADOPTIVE_PLACEMENTS = frozenset({"A3", "A4", "A5", "A6"})
WITH_CURRENT_FOSTER_CARERS = frozenset({"A3", "A5"})
EARLY_PERMANENCE_PLACEMENTS = frozenset({"U2", "U5"})
NO_PROVIDER_PLACEMENTS = frozenset({"T0", "T1", "T2", "T3", "T4", "Z1"})


class PlacementProvider(models.TextChoices):
    """903 PLACE_PROVIDER."""

    PR0 = "PR0", "Parent(s) or other person with parental responsibility"
    PR1 = "PR1", "Own provision (by the council)"
    PR2 = "PR2", "Other local authority provision"
    PR3 = "PR3", "Other public provision (e.g. a PCT)"
    PR4 = "PR4", "Private provision"
    PR5 = "PR5", "Voluntary or third sector provision"


class ReasonEpisodeCeased(models.TextChoices):
    """903 REC. X1 continues the period of care; every other code ends it."""

    X1 = "X1", "Episode ceases, period of care continues"
    E11 = "E11", "Adopted: application unopposed"
    E12 = "E12", "Adopted: application opposed"
    E2 = "E2", "Died"
    E3 = "E3", "Care taken over by another local authority in the UK"
    E4A = "E4A", "Returned home to live with parents or relatives as part of the care plan"
    E4B = "E4B", "Returned home to live with parents or relatives not as part of the care plan"
    E13 = "E13", "Left care to live with parents or relatives (other)"
    E41 = "E41", "Residence order or child arrangements order granted"
    E45 = "E45", "Special guardianship order: former foster carers"
    E46 = "E46", "Special guardianship order: carers other than former foster carers"
    E47 = "E47", "Special guardianship order: relatives or friends, not former foster carers"
    E48 = "E48", "Special guardianship order: relatives or friends, former foster carers"
    E5 = "E5", "Moved into independent living with supportive accommodation"
    E6 = "E6", "Moved into independent living without formalised support"
    E7 = "E7", "Transferred to residential care funded by adult social services"
    E9 = "E9", "Sentenced to custody"
    E14 = "E14", "Accommodation on remand ended"
    E15 = "E15", "Age assessment determined child is aged 18 or over"
    E16 = "E16", "Child moved abroad"
    E17 = "E17", "Aged 18 and remained with current carers (staying put)"
    E8 = "E8", "Period of care ceased for any other reason"


ADOPTION_REASONS = frozenset({"E11", "E12"})
SPECIAL_GUARDIANSHIP_REASONS = frozenset({"E45", "E46", "E47", "E48"})


class ReasonPlaceChange(models.TextChoices):
    """903 REASON_PLACE_CHANGE."""

    CARPL = "CARPL", "Change to the care plan"
    CLOSE = "CLOSE", "Carer resigned or closed"
    ALLEG = "ALLEG", "Allegation (s47)"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Approval removed"
    CREQB = "CREQB", "Carer requests placement end: child's behaviour"
    CREQO = "CREQO", "Carer requests placement end: other"
    CHILD = "CHILD", "Child requests placement end"
    LAREQ = "LAREQ", "Responsible or area authority requests placement end"
    PLACE = "PLACE", "Change of placement status"
    CUSTOD = "CUSTOD", "Child in custody"
    OTHER = "OTHER", "Other"
