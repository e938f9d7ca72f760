"""The languages a consumer can ask for, named in the page's language and in their own."""

import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agentmatch.core.languages import LANGUAGE_NAMES

LABELS: dict[str, Promise] = {
    "en": _("English"),
    "es": _("Spanish"),
    "zh": _("Chinese"),
    "vi": _("Vietnamese"),
    "ko": _("Korean"),
    "tl": _("Tagalog"),
    "ru": _("Russian"),
    "ar": _("Arabic"),
    "ht": _("Haitian Creole"),
    "fr": _("French"),
    "pl": _("Polish"),
    "pt": _("Portuguese"),
    "it": _("Italian"),
    "de": _("German"),
    "ja": _("Japanese"),
    "fa": _("Persian"),
    "hi": _("Hindi"),
    "ur": _("Urdu"),
    "bn": _("Bengali"),
    "pa": _("Punjabi"),
    "gu": _("Gujarati"),
    "so": _("Somali"),
    "am": _("Amharic"),
    "hy": _("Armenian"),
    "km": _("Khmer"),
    "lo": _("Lao"),
    "hmn": _("Hmong"),
    "uk": _("Ukrainian"),
    "el": _("Greek"),
    "he": _("Hebrew"),
    "th": _("Thai"),
    "ne": _("Nepali"),
    "my": _("Burmese"),
    "sw": _("Swahili"),
    "yo": _("Yoruba"),
}

# Each language's name for itself, so a reader finds their own in a list they cannot read.
ENDONYMS: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "zh": "中文",
    "vi": "Tiếng Việt",
    "ko": "한국어",
    "tl": "Tagalog",
    "ru": "Русский",
    "ar": "العربية",
    "ht": "Kreyòl ayisyen",
    "fr": "Français",
    "pl": "Polski",
    "pt": "Português",
    "it": "Italiano",
    "de": "Deutsch",
    "ja": "日本語",
    "fa": "فارسی",
    "hi": "हिन्दी",
    "ur": "اردو",
    "bn": "বাংলা",
    "pa": "ਪੰਜਾਬੀ",
    "gu": "ગુજરાતી",
    "so": "Soomaali",
    "am": "አማርኛ",
    "hy": "Հայերեն",
    "km": "ខ្មែរ",
    "lo": "ລາວ",
    "hmn": "Hmoob",
    "uk": "Українська",
    "el": "Ελληνικά",
    "he": "עברית",
    "th": "ไทย",
    "ne": "नेपाली",
    "my": "မြန်မာ",
    "sw": "Kiswahili",
    "yo": "Yorùbá",
}


def label(code: str) -> str:
    name = str(LABELS.get(code, LANGUAGE_NAMES.get(code, code)))
    own = ENDONYMS.get(code, "")
    return f"{name} ({own})" if own and own.casefold() != name.casefold() else name


def _sort_key(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def language_choices() -> list[tuple[str, str]]:
    """English and Spanish first, then every language the service routes, by name."""
    first = [(code, label(code)) for code in ("en", "es")]
    rest = sorted(
        ((code, label(code)) for code in LANGUAGE_NAMES if code not in ("en", "es")),
        key=lambda choice: _sort_key(choice[1]),
    )
    return first + rest
