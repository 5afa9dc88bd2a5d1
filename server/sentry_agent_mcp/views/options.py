"""The two params every list and get takes besides its own: ``fields`` and ``detail``.

They shape the result here and are never sent to Sentry or Airbyte: the executor takes them out of
the params before validation, so no backend ever sees them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

OPTION_NAMES = ("fields", "detail")
MAX_FIELDS = 50

FIELDS_DESCRIPTION = "Only these dotted paths of the raw object, e.g. ['id','metadata.type']."
DETAIL_DESCRIPTION = "'full': the raw Sentry object instead of the compact view."


def _comma_list(value: Any) -> Any:
    """``"id,title"`` (as the CLI's key=value gives it) means ``["id", "title"]``."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


FieldPath = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")]


class ViewOptions(BaseModel):
    """How to shape a result: the compact view (default), the raw object, or a projection of it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fields: Annotated[
        list[FieldPath] | None,
        BeforeValidator(_comma_list),
        Field(None, min_length=1, max_length=MAX_FIELDS, description=FIELDS_DESCRIPTION),
    ] = None
    detail: Literal["compact", "full"] = Field("compact", description=DETAIL_DESCRIPTION)


COMPACT = ViewOptions()

OPTIONS_SCHEMA: dict[str, Any] = {
    "fields": {"type": "array", "items": {"type": "string"}, "description": FIELDS_DESCRIPTION},
    "detail": {"enum": ["compact", "full"], "description": DETAIL_DESCRIPTION},
}
"""What tool schemas advertise for the two (validation stays in ``ViewOptions``)."""
