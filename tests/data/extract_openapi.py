"""Extract the success-response schemas (200, 201 or 202) of the routes the demo Sentry serves from Sentry's
OpenAPI spec.

The full spec lives outside the repository (``../shared/sentry-openapi``, 3.9 MB); the tests need only
these schemas, so they are kept here (FSL-1.1-Apache-2.0, licence beside this file) and a fresh clone
can run every test. Regenerate with ``python tests/data/extract_openapi.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SPEC_DIR = HERE.parents[2] / "shared" / "sentry-openapi"
OUT = HERE / "sentry-openapi-responses.json"
ORG = "/api/0/organizations/{organization_id_or_slug}"
PROJ = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}"
ROUTES = [
    ("GET", "/api/0/organizations/"),
    ("GET", f"{ORG}/"),
    ("GET", f"{ORG}/projects/"),
    ("GET", f"{ORG}/teams/"),
    ("GET", "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/"),
    ("GET", f"{ORG}/members/"),
    ("GET", f"{ORG}/environments/"),
    ("GET", f"{ORG}/tags/"),
    ("GET", f"{ORG}/issues/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/"),
    ("PUT", f"{ORG}/issues/{{issue_id}}/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/events/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/events/{{event_id}}/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/hashes/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/tags/{{key}}/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/tags/{{key}}/values/"),
    ("GET", f"{ORG}/shortids/{{issue_id}}/"),
    ("GET", f"{ORG}/eventids/{{event_id}}/"),
    ("GET", f"{ORG}/releases/"),
    ("GET", f"{ORG}/releases/{{version}}/"),
    ("GET", f"{ORG}/releases/{{version}}/deploys/"),
    ("GET", f"{ORG}/releases/{{version}}/commits/"),
    ("GET", f"{ORG}/events/"),
    ("GET", f"{ORG}/stats_v2/"),
    ("GET", f"{ORG}/sessions/"),
    ("GET", f"{ORG}/monitors/"),
    ("GET", f"{ORG}/monitors/{{monitor_id_or_slug}}/"),
    ("GET", f"{ORG}/monitors/{{monitor_id_or_slug}}/checkins/"),
    ("GET", f"{ORG}/alert-rules/"),
    ("GET", f"{ORG}/alert-rules/{{alert_rule_id}}/"),
    ("GET", f"{ORG}/detectors/"),
    ("GET", f"{ORG}/workflows/"),
    ("GET", f"{ORG}/replays/"),
    ("GET", f"{ORG}/replays/{{replay_id}}/"),
    ("GET", "/api/0/projects/"),
    ("GET", f"{PROJ}/"),
    ("GET", f"{PROJ}/issues/"),
    ("GET", f"{PROJ}/events/"),
    ("GET", f"{PROJ}/events/{{event_id}}/"),
    ("GET", f"{PROJ}/rules/"),
    ("GET", f"{PROJ}/rules/{{rule_id}}/"),
    ("GET", f"{PROJ}/monitors/{{monitor_id_or_slug}}/"),
    ("GET", f"{PROJ}/monitors/{{monitor_id_or_slug}}/checkins/"),
    ("GET", f"{PROJ}/user-feedback/"),
    ("GET", f"{PROJ}/keys/"),
    ("GET", f"{ORG}/trace/{{trace_id}}/"),
    ("GET", f"{ORG}/trace-meta/{{trace_id}}/"),
    ("GET", f"{ORG}/issues/{{issue_id}}/autofix/"),
    ("GET", f"{ORG}/dashboards/"),
    ("GET", f"{ORG}/dashboards/{{dashboard_id}}/"),
    ("GET", f"{PROJ}/events/{{event_id}}/attachments/"),
    ("GET", f"{PROJ}/events/{{event_id}}/attachments/{{attachment_id}}/"),
    ("GET", f"{PROJ}/profiling/profiles/{{profile_id}}/"),
    ("POST", f"{ORG}/teams/"),
    ("POST", "/api/0/teams/{organization_id_or_slug}/{team_id_or_slug}/projects/"),
    ("PUT", f"{PROJ}/"),
    ("POST", f"{PROJ}/keys/"),
    ("POST", f"{ORG}/alert-rules/"),
    ("PUT", f"{ORG}/alert-rules/{{alert_rule_id}}/"),
    ("POST", f"{PROJ}/rules/"),
    ("PUT", f"{PROJ}/rules/{{rule_id}}/"),
    ("POST", f"{ORG}/issues/{{issue_id}}/autofix/"),
]
"""Every route the demo serves that the spec (or the 2025-10 legacy extract) documents. Not documented,
so not here: `/auth/`, `/users/me/regions/`, issue notes and the issue tag-key list."""


def extract(spec_dir: Path = SPEC_DIR) -> dict[str, Any]:
    spec = json.loads((spec_dir / "openapi-derefed.json").read_text())
    legacy = json.loads((spec_dir / "legacy-paths-2025-10.json").read_text())
    paths = {**legacy["paths"], **spec["paths"]}
    out: dict[str, Any] = {}
    for method, template in ROUTES:
        operation = paths.get(template, {}).get(method.lower())
        if operation is None:
            continue
        success = next(
            (operation["responses"][code] for code in ("200", "201", "202") if code in operation["responses"]), {}
        )
        content = success.get("content", {}).get("application/json")
        if content and "schema" in content:
            out[f"{method} {template}"] = content["schema"]
    return out


if __name__ == "__main__":
    OUT.write_text(json.dumps(extract(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
