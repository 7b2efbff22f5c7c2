"""Text helpers shared by stages: one transliteration for slugs and sub-ids, sizes for people."""

from __future__ import annotations

# Russian, Ukrainian and Belarusian letters -> Latin (a readable, Yandex-like scheme). A fixed table,
# not a library, so published slugs never change when a dependency updates.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}
_TABLE = str.maketrans({**CYRILLIC, **{k.upper(): v.capitalize() for k, v in CYRILLIC.items()}})


def transliterate(text: str) -> str:
    """'Щётка Xiaomi' -> 'Shchetka Xiaomi'; other characters pass through unchanged."""
    return text.translate(_TABLE)


def human_size(n: float) -> str:
    """1536 -> '1.5 KB'."""
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
