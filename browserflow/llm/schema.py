"""The answer an LLM tier must give: actions on element *indexes* of the snapshot, never free-form selectors.

``LLMAnswer`` validates what comes back; ``answer_json_schema()`` is the JSON schema sent to the providers
(Ollama's ``format=`` and the input schema of Claude's ``choose_action`` tool). The schema is written out by
hand, flat and without ``$ref``, so every provider's constrained decoding understands it.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_ACTIONS", "LLMAction", "LLMAnswer", "answer_json_schema"]

MAX_ACTIONS = 12

LLMActionKind = Literal["click", "fill", "select", "check", "uncheck", "press", "navigate"]


class LLMAction(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: LLMActionKind
    element: int | None = Field(default=None, description="index into the element list; null only for navigate")
    value: str | None = Field(default=None, description="text / option / key / URL; null when data_key is given")
    data_key: str | None = Field(default=None, description="task data key the value comes from")


class LLMAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    actions: list[LLMAction] = Field(default_factory=list, max_length=MAX_ACTIONS)
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str = ""
    done: bool = False

    def summary(self, limit: int = 300) -> str:
        """The proposed actions in one line, as the model gave them (for the attempt record)."""
        parts = []
        for a in self.actions:
            target = f" [{a.element}]" if a.element is not None else ""
            source = f" <- {{{a.data_key}}}" if a.data_key else f" {a.value!r}" if a.value is not None else ""
            parts.append(f"{a.kind}{target}{source}")
        text = "; ".join(parts)
        return text if len(text) <= limit else text[: limit - 1] + "…"


_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "actions": {
            "type": "array",
            "maxItems": MAX_ACTIONS,
            "description": "actions to take in order on this page",
            "items": {
                "type": "object",
                "properties": {
                    "kind": {
                        "type": "string",
                        "enum": ["click", "fill", "select", "check", "uncheck", "press", "navigate"],
                    },
                    "element": {
                        "type": ["integer", "null"],
                        "minimum": 0,
                        "description": "index [n] of the target element; null only for navigate",
                    },
                    "value": {
                        "type": ["string", "null"],
                        "description": "text to type, option to select, key to press or URL to open",
                    },
                    "data_key": {
                        "type": ["string", "null"],
                        "description": "task data key whose value to use (then value is null)",
                    },
                },
                "required": ["kind", "element", "value", "data_key"],
            },
        },
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "reason": {"type": "string", "description": "one short sentence"},
        "done": {"type": "boolean", "description": "true when the goal already looks reached"},
    },
    "required": ["actions", "confidence", "reason", "done"],
}


def answer_json_schema() -> dict[str, Any]:
    """The JSON schema of ``LLMAnswer`` (a fresh copy each call)."""
    return copy.deepcopy(_SCHEMA)
