"""Fixed vocabularies of a case file.

Kept apart from the models so that plain-Python modules (sampling, import checks)
can use them without touching the database.
"""

from django.db import models


class SampleType(models.TextChoices):
    NEW_ORDER = "new_order", "New order"
    CP_PLAN = "cp_plan", "Child protection plan case"
    REFERRAL = "referral", "Referral"
    COURT_DISPOSAL = "court_disposal", "Court disposal"
    OUT_OF_COURT = "out_of_court", "Out-of-court disposal"
    RESETTLEMENT = "resettlement", "Resettlement case"
    VICTIM = "victim", "Victim's case"


class SubjectKind(models.TextChoices):
    ADULT = "adult", "Adult"
    CHILD = "child", "Child"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    NOT_KNOWN = "not_known", "Not known"


class Ethnicity(models.TextChoices):
    WHITE = "white", "White"
    MIXED = "mixed", "Mixed or multiple ethnic groups"
    ASIAN = "asian", "Asian or Asian British"
    BLACK = "black", "Black, Black British, Caribbean or African"
    OTHER = "other", "Other ethnic group"
    NOT_KNOWN = "not_known", "Not known"


class Level(models.TextChoices):
    """Risk of serious harm, and safety and wellbeing, share these four levels."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    VERY_HIGH = "very_high", "Very high"


class MappaLevel(models.TextChoices):
    NONE = "none", "Not MAPPA"
    LEVEL_1 = "1", "Level 1"
    LEVEL_2 = "2", "Level 2"
    LEVEL_3 = "3", "Level 3"


class OrderType(models.TextChoices):
    COMMUNITY_ORDER = "community_order", "Community order"
    SUSPENDED_SENTENCE = "suspended_sentence", "Suspended sentence order"
    LICENCE = "licence", "Licence"
    REFERRAL_ORDER = "referral_order", "Referral order"
    YOUTH_REHABILITATION_ORDER = "yro", "Youth rehabilitation order"
    DETENTION_AND_TRAINING_ORDER = "dto", "Detention and training order"
    COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
    YOUTH_CAUTION = "youth_caution", "Youth caution"
    YOUTH_CONDITIONAL_CAUTION = "youth_conditional_caution", "Youth conditional caution"


OUT_OF_COURT_ORDER_TYPES = frozenset(
    {
        OrderType.COMMUNITY_RESOLUTION,
        OrderType.YOUTH_CAUTION,
        OrderType.YOUTH_CONDITIONAL_CAUTION,
    }
)


class RequirementType(models.TextChoices):
    UNPAID_WORK = "unpaid_work", "Unpaid work"
    SUPERVISION = "supervision", "Supervision"
    PROGRAMME = "programme", "Accredited programme"
    CURFEW = "curfew", "Curfew"
    ACTIVITY = "activity", "Activity"
    DRUG_REHABILITATION = "drug_rehabilitation", "Drug rehabilitation"
    ALCOHOL_TREATMENT = "alcohol_treatment", "Alcohol treatment"
    MENTAL_HEALTH = "mental_health", "Mental health treatment"
    EXCLUSION = "exclusion", "Exclusion"
    PROHIBITED_ACTIVITY = "prohibited_activity", "Prohibited activity"
    RESIDENCE = "residence", "Residence"


class ChildRelationship(models.TextChoices):
    SON_OR_DAUGHTER = "child", "Son or daughter"
    STEPCHILD = "stepchild", "Stepchild"
    PARTNERS_CHILD = "partners_child", "Partner's child"
    SIBLING = "sibling", "Brother or sister"
    GRANDCHILD = "grandchild", "Grandchild"
    OTHER_RELATIVE = "other_relative", "Other relative"
    NO_RELATION = "none", "No family relation"


class OffenderRole(models.TextChoices):
    """How the supervised person bears on the child's safety (seed 000, 2.17)."""

    REASON_FOR_PLAN = "reason_for_plan", "The reason for the plan"
    PROTECTIVE_FACTOR = "protective_factor", "A protective factor"
    OTHER = "other", "Neither, or not known"


class PlanCategory(models.TextChoices):
    NEGLECT = "neglect", "Neglect"
    PHYSICAL = "physical", "Physical abuse"
    EMOTIONAL = "emotional", "Emotional abuse"
    SEXUAL = "sexual", "Sexual abuse"
    MULTIPLE = "multiple", "More than one category"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Telephone"
    EMAIL = "email", "Email"
    FORM = "form", "Referral form"
    IN_PERSON = "in_person", "In person"
    MASH = "mash", "Multi-agency safeguarding hub"


class Agency(models.TextChoices):
    CHILDRENS_SOCIAL_CARE = "csc", "Children's social care"
    POLICE = "police", "Police"
    PROBATION = "probation", "Probation"


class CheckKind(models.TextChoices):
    CHECK = "check", "Check"
    NOTIFICATION = "notification", "Notification of involvement"


class MeetingKind(models.TextChoices):
    ICPC = "icpc", "Initial child protection conference"
    REVIEW_CONFERENCE = "review_conference", "Review child protection conference"
    CORE_GROUP = "core_group", "Core group"
    STRATEGY = "strategy", "Strategy meeting"
    MARAC = "marac", "MARAC"
    MAPPA = "mappa", "MAPPA meeting"


class RiskSource(models.TextChoices):
    """Main source of risk to the child (seed 003, Appendix 4)."""

    SUBJECT = "subject", "The person supervised"
    PARTNER = "partner", "A partner or ex-partner"
    OTHER_ADULT = "other_adult", "Another adult"
    SELF = "self", "The child's own behaviour"
    NOT_RECORDED = "not_recorded", "Not recorded"
