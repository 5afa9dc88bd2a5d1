"""How a write answers and which extra requests it makes, declared beside its pair (README "Writes").

Every write answers with a short confirmation (``views/confirm.py``): what was done to what, the
object's key fields and, for an update, what changed. A ``WritePlan`` says which fields those are.
Two writes need more than one request, and say so here rather than in code:

- ``read_first``: Sentry's PUT replaces the whole object (alert rules), so the current object is
  read, the given fields merged into it (``merge``), and the whole object sent back; the answer
  names the fields whose value changed, old and new.
- ``follow_up``: a second request made in the same call when a param is given (``issues update``'s
  ``note``). It is sent once, after the main write succeeded; if it fails, the confirmation says
  so next to what did succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .base import Route

JSON = dict[str, Any]


@dataclass(frozen=True)
class FollowUp:
    """A second request sent when ``param`` is given; ``label`` names it in the confirmation."""

    param: str
    route: Route
    label: str


@dataclass(frozen=True, kw_only=True)
class WritePlan:
    """What a write's confirmation holds and how the write is carried out.

    ``keys`` maps a confirmation label to a dotted path in Sentry's answer (falling back to the
    param of the same name: an issue id the caller gave). ``read_first`` is the GET of the object a
    full-replace PUT overwrites; ``merge(current, given)`` builds the body sent from the current
    object and the body built from the params. ``summary`` turns an object (Sentry's, or a body) into
    flat ``{field: value}`` pairs compared to say what changed; by default the body's own keys.
    """

    verb: str
    noun: str
    keys: Mapping[str, str] = field(default_factory=lambda: {"id": "id"})
    read_first: Route | None = None
    merge: Callable[[JSON, JSON], JSON] | None = None
    summary: Callable[[JSON], JSON] | None = None
    follow_up: FollowUp | None = None


def keep(*paths: str, **renamed: str) -> dict[str, str]:
    """Confirmation keys: ``keep("id", "slug", dsn="dsn.public")``."""
    return {path.rsplit(".", 1)[-1]: path for path in paths} | renamed
