"""Names of the states' own exchanges, to point consumers from unserved states to them."""

STATE_EXCHANGES: dict[str, str] = {
    "CA": "Covered California",
    "CO": "Connect for Health Colorado",
    "CT": "Access Health CT",
    "DC": "DC Health Link",
    "GA": "Georgia Access",
    "ID": "Your Health Idaho",
    "IL": "Get Covered Illinois",
    "KY": "kynect",
    "ME": "CoverME.gov",
    "MD": "Maryland Health Connection",
    "MA": "Massachusetts Health Connector",
    "MN": "MNsure",
    "NV": "Nevada Health Link",
    "NJ": "Get Covered New Jersey",
    "NM": "beWellnm",
    "NY": "NY State of Health",
    "PA": "Pennie",
    "RI": "HealthSource RI",
    "VA": "Virginia's Insurance Marketplace",
    "VT": "Vermont Health Connect",
    "WA": "Washington Healthplanfinder",
}


def exchange_name(state: str) -> str:
    return STATE_EXCHANGES.get(state, "its own health insurance exchange")
