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

    @classmethod
    def of(cls, text: str) -> Text:
        """A text written "English / Indonesian" (as InvalidArgument and the hints are) in its two
        halves; the whole text in both where it has no such halves."""
        en, sep, id_ = text.rpartition(" / ")
        return cls(id_, en) if sep and en and id_ else cls(text, text)
