"""Words we use: the few terms we cannot avoid, each explained in plain English.

Pages link to a term with url("core:glossary") + "#" + its anchor.
"""

GLOSSARY: list[dict[str, str]] = [
    {
        "anchor": "framework",
        "term": "The framework",
        "formal": "Probation Services Dynamic Framework (a dynamic purchasing system)",
        "meaning": (
            "A list of organisations that have been checked and can bid for probation work. "
            "Any organisation can apply to join at any time."
        ),
    },
    {
        "anchor": "type-of-support",
        "term": "Type of support",
        "formal": "Service category",
        "meaning": "The kind of help you give, such as accommodation or debt advice, or the group you help, such as women.",
    },
    {
        "anchor": "area",
        "term": "Area",
        "formal": "Region, police and crime commissioner (PCC) area, or local authority",
        "meaning": (
            "Where you can give support. A region is made of smaller areas, so if you cover a region "
            "you cover every area in it."
        ),
    },
    {
        "anchor": "application",
        "term": "Application to join",
        "formal": "Selection questionnaire",
        "meaning": "The questions you answer so we can check your organisation before you bid.",
    },
    {
        "anchor": "opportunity",
        "term": "Opportunity",
        "formal": "Call-off competition",
        "meaning": "A piece of work we want to buy. Organisations on the framework can bid for it.",
    },
    {
        "anchor": "lot",
        "term": "Area you can bid for",
        "formal": "Lot",
        "meaning": (
            "One part of an opportunity, usually one area. You can bid for one part, some parts "
            "or all of them in a single bid."
        ),
    },
    {
        "anchor": "bid",
        "term": "Bid",
        "formal": "Tender",
        "meaning": "What you send to say how you would do the work and what it would cost.",
    },
    {
        "anchor": "closing-date",
        "term": "Closing date",
        "formal": "Submission deadline",
        "meaning": "The last time you can send or change a bid. Nobody can read any bid until this time has passed.",
    },
    {
        "anchor": "partners",
        "term": "Partners",
        "formal": "Consortium members or subcontractors",
        "meaning": "Other organisations that do part of the work with you. You say what share of the work they do.",
    },
    {
        "anchor": "funding-partner",
        "term": "Funding partner",
        "formal": "Co-commissioner",
        "meaning": "Another public body, such as a police and crime commissioner, that pays for part of the work.",
    },
    {
        "anchor": "waiting-period",
        "term": "Waiting period",
        "formal": "Standstill period",
        "meaning": (
            "A few working days after we say who has won, before the contract is signed. "
            "It gives anyone time to question the result."
        ),
    },
    {
        "anchor": "vcse",
        "term": "Voluntary, community or social enterprise organisation",
        "formal": "VCSE",
        "meaning": "A charity, community group or social enterprise, such as a community interest company.",
    },
    {
        "anchor": "size",
        "term": "Size",
        "formal": "Micro, small, medium or large enterprise (SME)",
        "meaning": (
            "How big your organisation is, by how many people work for it and how much money comes in each year. "
            "Micro means fewer than 10 people and up to £2 million a year."
        ),
    },
    {
        "anchor": "estimated-value",
        "term": "Estimated value each year",
        "formal": "Indicative contract value",
        "meaning": (
            "Our best guess of how much the work is worth in each year from April to March. "
            "It can change before the contract starts."
        ),
    },
    {
        "anchor": "open-data",
        "term": "Open data",
        "formal": "Open Contracting Data Standard (OCDS)",
        "meaning": "Records of what we buy, in a standard form that anyone can download and use.",
    },
]
