"""JSON shapes for releases and what hangs off them: the release itself (list row and detail), its
deploys and commits, the repository, the short release reference issues carry, and `versionInfo`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .dataset import SESSION_PROJECTS
from .models import Commit, Deploy, Release, iso
from .records import user_record

if TYPE_CHECKING:
    from .store import Store

JSON = dict[str, Any]
_SEMVER = re.compile(r"^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$")


def version_info(version: str) -> JSON:
    """Split `package@version+build` the way Sentry does; unparsable versions keep only `raw`."""
    package, sep, rest = version.partition("@")
    if not sep:
        package, rest = "", version
    core, plus, build = rest.partition("+")
    parsed: JSON = {"raw": rest}
    match = _SEMVER.match(core)
    if match and (not plus or re.fullmatch(r"[0-9A-Za-z.-]+", build)):
        parsed |= {
            "major": int(match[1]),
            "minor": int(match[2]),
            "patch": int(match[3]),
            "pre": match[4],
            "buildCode": build or None,
            "components": 3,
        }
    return {"package": package or None, "version": parsed, "description": rest, "buildHash": None}


def repository_record(slug: str) -> JSON:
    return {
        "id": str(70 + len(slug)),
        "name": f"acme/{slug}",
        "url": f"https://github.com/acme/{slug}",
        "provider": {"id": "integrations:github", "name": "GitHub"},
        "status": "active",
        "dateCreated": "2021-03-14T10:12:00Z",
        "integrationId": "2933",
        "externalSlug": f"acme/{slug}",
        "externalId": str(873300 + len(slug)),
    }


def release_record(store: Store, release: Release) -> JSON:
    """`GET /organizations/{org}/releases/` rows and the release detail."""
    stats = store.release_stats(release.version)
    last_commit = release.commits[-1] if release.commits else None
    last_deploy = release.deploys[-1] if release.deploys else None
    author_ids = dict.fromkeys(c.author_id for c in release.commits)
    authors = [user_record(m) for a in author_ids if (m := store.data.member(a))]
    projects = [store.data.project(slug) for slug in release.project_slugs]
    return {
        "id": release.id,
        "version": release.version,
        "status": "open",
        "shortVersion": version_info(release.version)["description"],
        "versionInfo": version_info(release.version),
        "ref": None,
        "url": None,
        "dateReleased": iso(d) if (d := release.date_released) else None,
        "dateCreated": iso(release.date_created),
        "dateStarted": None,
        "data": {},
        "newGroups": stats.new_groups,
        "owner": None,
        "commitCount": len(release.commits),
        "lastCommit": commit_record(store, release, last_commit) if last_commit else None,
        "deployCount": len(release.deploys),
        "lastDeploy": deploy_record(release, last_deploy) if last_deploy else None,
        "authors": authors,
        "projects": [
            {
                "id": int(p.id),
                "slug": p.slug,
                "name": p.name,
                "newGroups": stats.new_groups,
                "platform": p.platform,
                "platforms": [store.event_platform(p.slug)],
                "hasHealthData": p.slug in SESSION_PROJECTS,
            }
            for p in projects
        ],
        "firstEvent": iso(stats.first_event) if stats.first_event else None,
        "lastEvent": iso(stats.last_event) if stats.last_event else None,
        "currentProjectMeta": {},
        "userAgent": None,
        "adoptionStages": None,
    }


def release_ref(store: Store, version: str | None) -> JSON | None:
    """The short release shape issues (`firstRelease`) and commits (`releases`) carry."""
    release = store.release(version) if version else None
    if release is None:
        return None
    released = release.date_released
    return {
        "version": release.version,
        "shortVersion": version_info(release.version)["description"],
        "ref": None,
        "url": None,
        "dateReleased": iso(released) if released else None,
        "dateCreated": iso(release.date_created),
    }


def deploy_record(release: Release, deploy: Deploy) -> JSON:
    """`GET .../releases/{version}/deploys/` rows (and the release's `lastDeploy`)."""
    return {
        "id": deploy.id,
        "environment": deploy.environment,
        "dateStarted": iso(deploy.date_started),
        "dateFinished": iso(deploy.date_finished),
        "name": f"{release.version} to {deploy.environment}",
        "url": f"https://github.com/acme/{release.project_slugs[0]}/actions/runs/{deploy.id}",
    }


def commit_record(store: Store, release: Release, commit: Commit) -> JSON:
    """`GET .../releases/{version}/commits/` rows (and the release's `lastCommit`)."""
    member = store.data.member(commit.author_id)
    return {
        "id": commit.id,
        "message": commit.message,
        "dateCreated": iso(commit.date),
        "pullRequest": None,
        "suspectCommitType": "",
        "repository": repository_record(release.project_slugs[0]),
        "author": user_record(member) if member else None,
        "releases": [release_ref(store, release.version)],
    }
