"""Sentry's search syntax, spelled out on the ``query`` params that take it.

An agent searches well only if it knows the terms; the tool schemas are all it is sure to see (some
clients drop the server instructions), so the terms go into the ``query`` descriptions, kept short:
every schema is sent on every turn (``bench/tools_list.py`` measures the cost).
"""

from __future__ import annotations

ISSUE_QUERY = (
    "Sentry search; default 'is:unresolved', '' for all. E.g. is:unresolved|resolved|ignored|unassigned "
    "level:error assigned:me release:1.2 firstSeen:-24h has:user times_seen:>100 !environment:dev"
)
"""``issues list``: the terms of Sentry's issue search that triage uses."""

EVENT_QUERY = "Sentry search, e.g. level:error release:1.2 has:user transaction:/cart !browser.name:Chrome"
"""Event searches (Discover, an issue's events): tags and event fields."""
