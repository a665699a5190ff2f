"""Bilingual text: every message a user reads exists in Bahasa Indonesia and English."""

from __future__ import annotations

import attrs


@attrs.frozen
class Text:
    """A message in Bahasa Indonesia (``id``) and English (``en``)."""

    id: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "en": self.en}
