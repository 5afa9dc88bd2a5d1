"""Handlers for releases: the list (`project`, `environment`, `query` filters), the detail, and a
release's deploys and commits (newest first, paginated), consistent with the release's
`deployCount`/`lastDeploy` and `commitCount`/`lastCommit`.
"""

from __future__ import annotations

from .handlers import get_org, get_release, ok, paged
from .http import ApiRequest, ApiResponse
from .params import environments, project_slugs
from .release_records import commit_record, deploy_record, release_record
from .store import Store


def list_releases(store: Store, request: ApiRequest) -> ApiResponse:
    get_org(store, request)
    releases = sorted(store.data.releases, key=lambda r: (r.date_created, r.id), reverse=True)
    slugs = project_slugs(store, request)
    if slugs is not None:
        releases = [r for r in releases if slugs & set(r.project_slugs)]
    query = (request.get("query") or "").strip().lower()
    if query:
        releases = [r for r in releases if query in r.version.lower()]
    wanted = environments(request)
    if wanted:
        releases = [r for r in releases if wanted & store.release_stats(r.version).environments]
    return paged(store, request, releases, lambda r: release_record(store, r))


def get_release_detail(store: Store, request: ApiRequest) -> ApiResponse:
    return ok(release_record(store, get_release(store, request)))


def list_release_deploys(store: Store, request: ApiRequest) -> ApiResponse:
    release = get_release(store, request)
    deploys = sorted(release.deploys, key=lambda d: d.date_finished, reverse=True)
    return paged(store, request, deploys, lambda d: deploy_record(release, d))


def list_release_commits(store: Store, request: ApiRequest) -> ApiResponse:
    release = get_release(store, request)
    commits = list(reversed(release.commits))
    return paged(store, request, commits, lambda c: commit_record(store, release, c))
