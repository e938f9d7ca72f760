"""Languages as ISO 639-1 codes; rosters write names ("Spanish"), APIs send codes ("es")."""

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "ko": "Korean",
    "tl": "Tagalog",
    "ru": "Russian",
    "ar": "Arabic",
    "ht": "Haitian Creole",
    "fr": "French",
    "pl": "Polish",
    "pt": "Portuguese",
    "it": "Italian",
    "de": "German",
    "ja": "Japanese",
    "fa": "Persian",
    "hi": "Hindi",
    "ur": "Urdu",
    "bn": "Bengali",
    "pa": "Punjabi",
    "gu": "Gujarati",
    "so": "Somali",
    "am": "Amharic",
    "hy": "Armenian",
    "km": "Khmer",
    "lo": "Lao",
    "hmn": "Hmong",
    "uk": "Ukrainian",
    "el": "Greek",
    "he": "Hebrew",
    "th": "Thai",
    "ne": "Nepali",
    "my": "Burmese",
    "sw": "Swahili",
    "yo": "Yoruba",
}

_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()}
_BY_NAME.update(
    {
        "espanol": "es",
        "español": "es",
        "mandarin": "zh",
        "cantonese": "zh",
        "farsi": "fa",
        "creole": "ht",
        "haitian": "ht",
    }
)


def normalize_language(value: str) -> str:
    """Accepts an ISO 639-1 code or an English name; returns the code."""
    text = (value or "").strip().lower()
    if text in LANGUAGE_NAMES:
        return text
    if text in _BY_NAME:
        return _BY_NAME[text]
    raise ValueError(f"'{value}' is not a known language (use an ISO 639-1 code such as 'es')")


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
