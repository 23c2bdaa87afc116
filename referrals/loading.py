"""Reference data for referrals: the desired outcomes and complexity levels of each service category.

Loaded by a data migration (so every database has it), put back after a test flush
(`load_if_missing`), and edited afterwards by administrators in the Django admin. Codes are stable;
descriptions are plain English a practitioner reads with the person.
"""

from __future__ import annotations

# category code → [(outcome code, description)]
OUTCOMES: dict[str, list[tuple[str, str]]] = {
    "accommodation": [
        ("keep-home", "Keep the home they have now"),
        ("find-home", "Find somewhere safe and settled to live"),
        ("avoid-eviction", "Avoid being evicted"),
        ("tenancy-skills", "Learn how to look after a tenancy"),
    ],
    "ete": [
        ("find-work", "Find paid work"),
        ("keep-work", "Keep the job they have"),
        ("training", "Start a course or training"),
        ("cv-skills", "Write a CV and get ready for interviews"),
    ],
    "finance-benefit-debt": [
        ("claim-benefits", "Claim the benefits they are owed"),
        ("manage-debt", "Make a plan to pay off debts"),
        ("bank-account", "Open a bank account"),
        ("budget", "Learn to budget and manage money"),
    ],
    "dependency-recovery": [
        ("treatment", "Start treatment for drink, drugs or gambling"),
        ("stay-in-recovery", "Stay in recovery"),
        ("harm-reduction", "Lower the harm their use causes"),
    ],
    "family": [
        ("family-contact", "Have safe contact with their family"),
        ("parenting", "Build parenting skills"),
        ("relationships", "Build healthy relationships"),
    ],
    "lifestyle": [
        ("new-activities", "Take up new activities away from crime"),
        ("new-friends", "Spend time with people who support them"),
        ("leave-influences", "Move away from people who lead them into crime"),
    ],
    "emotional-wellbeing": [
        ("mental-health-support", "Get help with their mental health"),
        ("coping", "Find ways to cope with stress"),
        ("confidence", "Feel more confident"),
    ],
    "social-inclusion": [
        ("local-services", "Use local services such as a GP"),
        ("community", "Take part in community life"),
        ("id-documents", "Get ID documents"),
    ],
    "women": [
        ("safe-relationships", "Be safe in their relationships"),
        ("women-support", "Get support from a women's service"),
        ("children", "Keep in touch with or get back their children"),
    ],
    "young-adults": [
        ("maturity", "Make good choices for their future"),
        ("young-adult-ete", "Start learning, training or work"),
        ("trusted-adult", "Have a trusted adult to turn to"),
    ],
    "bame": [
        ("culture", "Get support that fits their culture and faith"),
        ("discrimination", "Deal with racism and unfair treatment"),
        ("mentor", "Have a mentor with a similar background"),
    ],
    "restorative-justice": [
        ("understand-harm", "Understand the harm their crime caused"),
        ("meet-harmed", "Take part in a meeting with the person harmed, if both agree"),
    ],
    "cognitive-behavioural": [
        ("thinking-skills", "Learn new thinking skills"),
        ("manage-anger", "Manage anger and strong feelings"),
        ("problem-solving", "Solve problems without crime"),
    ],
    "service-user-involvement": [
        ("share-views", "Share their views on the service"),
        ("peer-role", "Take on a peer support role"),
    ],
}

# The same three levels for each category, described for that kind of support.
_LEVELS = [
    ("low", "Low complexity", "Needs a little help: can do most things with advice and information."),
    (
        "medium",
        "Medium complexity",
        "Needs regular help: some things get in the way and need working through together.",
    ),
    ("high", "High complexity", "Needs a lot of help: many things get in the way, and may need other services too."),
]
COMPLEXITY: dict[str, list[tuple[str, str, str]]] = dict.fromkeys(OUTCOMES, _LEVELS)


def load(apps=None) -> None:
    """Create or update every outcome and complexity level for each category that exists."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    ServiceCategory = apps.get_model("reference", "ServiceCategory")
    DesiredOutcome = apps.get_model("referrals", "DesiredOutcome")
    ComplexityLevel = apps.get_model("referrals", "ComplexityLevel")
    categories = {category.code: category for category in ServiceCategory.objects.all()}
    rows: list[tuple[type, dict, dict]] = []  # (model, what identifies the row, the rest)
    for category_code, outcomes in OUTCOMES.items():
        category = categories.get(category_code)
        if category is None:
            continue
        for order, (code, description) in enumerate(outcomes, start=1):
            rows.append(
                (
                    DesiredOutcome,
                    {"category": category, "code": code},
                    {"description": description, "display_order": order},
                )
            )
        for order, (code, title, description) in enumerate(COMPLEXITY[category_code], start=1):
            rows.append(
                (
                    ComplexityLevel,
                    {"category": category, "code": code},
                    {"title": title, "description": description, "display_order": order},
                )
            )
    if not DesiredOutcome.objects.exists() and not ComplexityLevel.objects.exists():
        # Empty (a new database, or a flush between transactional tests): two inserts, not 150.
        for model in (DesiredOutcome, ComplexityLevel):
            model.objects.bulk_create([model(**key, **rest) for row_model, key, rest in rows if row_model is model])
        return
    for model, key, rest in rows:
        model.objects.update_or_create(**key, defaults=rest)


def load_if_missing(**kwargs) -> None:
    """post_migrate handler: put the reference data back if a flush emptied it (see reference.loading)."""
    from referrals.models import ComplexityLevel, DesiredOutcome

    using = kwargs.get("using", "default")
    if DesiredOutcome.objects.using(using).exists() and ComplexityLevel.objects.using(using).exists():
        return
    from reference.loading import load_if_missing as reference_load_if_missing

    reference_load_if_missing(**kwargs)  # the categories first: the flush emptied them too
    load()
