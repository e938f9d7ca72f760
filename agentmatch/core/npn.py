"""National Producer Numbers: up to 10 digits; leading zeros are significant."""


def normalize_npn(value: str) -> str:
    text = (value or "").strip()
    if not text.isdigit() or not 1 <= len(text) <= 10:
        raise ValueError(f"'{value}' is not an NPN (1 to 10 digits)")
    return text


def npn_key(npn: str) -> str:
    """The form NPNs are matched on across files: spreadsheets drop leading zeros."""
    return npn.lstrip("0") or "0"
