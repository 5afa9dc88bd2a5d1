"""``context_store_search``: queries over Airbyte's synced copy of Sentry (hosted backend only).

The condition language is validated here, with the camelCase field names the synced records really
have (the original connector's snake_case filter models never matched them). The advertised schema
keeps ``filter`` a plain object, so the recursive language costs no schema bytes; the validator
names the operator or field that is wrong.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model, model_validator

from .base import HostedCall, Kind, Pair, Params

SEARCH_MAX_LIMIT = 1000
"""The most records one context-store search returns (the Airbyte API's bound)."""

Scalar = str | int | float | bool | None
SortKeys = list[dict[str, Literal["asc", "desc"]]]

SEARCHABLE_FIELDS: dict[str, frozenset[str]] = {
    "projects": frozenset(
        [
            "access",
            "avatar",
            "avatar.avatarUrl",
            "avatar.avatarType",
            "avatar.avatarUuid",
            "color",
            "dateCreated",
            "features",
            "firstEvent",
            "firstTransactionEvent",
            "hasAccess",
            "hasCustomMetrics",
            "hasFeedbacks",
            "hasMinifiedStackTrace",
            "hasMonitors",
            "hasNewFeedbacks",
            "hasProfiles",
            "hasReplays",
            "hasSessions",
            "id",
            "isBookmarked",
            "isInternal",
            "isMember",
            "isPublic",
            "name",
            "organization",
            "organization.id",
            "organization.name",
            "organization.slug",
            "platform",
            "slug",
            "status",
        ]
    ),
    "issues": frozenset(
        [
            "annotations",
            "assignedTo",
            "count",
            "culprit",
            "firstSeen",
            "hasSeen",
            "id",
            "isBookmarked",
            "isPublic",
            "isSubscribed",
            "isUnhandled",
            "issueCategory",
            "issueType",
            "lastSeen",
            "level",
            "logger",
            "metadata",
            "numComments",
            "permalink",
            "platform",
            "project",
            "project.id",
            "project.name",
            "project.slug",
            "shareId",
            "shortId",
            "stats",
            "status",
            "statusDetails",
            "subscriptionDetails",
            "substatus",
            "title",
            "type",
            "userCount",
        ]
    ),
    "events": frozenset(
        [
            "_meta",
            "context",
            "contexts",
            "crashFile",
            "culprit",
            "dateCreated",
            "dateReceived",
            "dist",
            "entries",
            "errors",
            "event.type",
            "eventID",
            "fingerprints",
            "groupID",
            "groupingConfig",
            "groupingConfig.id",
            "groupingConfig.enhancements",
            "id",
            "location",
            "message",
            "metadata",
            "metadata.title",
            "metadata.in_app_frame_mix",
            "occurrence",
            "packages",
            "platform",
            "projectID",
            "sdk",
            "size",
            "tags",
            "title",
            "type",
            "user",
            "user.id",
            "user.email",
            "user.username",
            "user.name",
            "user.ip_address",
        ]
    ),
    "releases": frozenset(
        [
            "authors",
            "commitCount",
            "currentProjectMeta",
            "data",
            "dateCreated",
            "dateReleased",
            "deployCount",
            "firstEvent",
            "id",
            "lastCommit",
            "lastDeploy",
            "lastEvent",
            "newGroups",
            "owner",
            "projects",
            "ref",
            "shortVersion",
            "status",
            "url",
            "userAgent",
            "version",
            "versionInfo",
            "versionInfo.version",
            "versionInfo.version.pre",
            "versionInfo.version.raw",
            "versionInfo.version.major",
            "versionInfo.version.minor",
            "versionInfo.version.patch",
            "versionInfo.version.buildCode",
            "versionInfo.version.components",
            "versionInfo.description",
            "versionInfo.package",
            "versionInfo.buildHash",
        ]
    ),
}

_ONE_FIELD = ("eq", "neq", "gt", "gte", "lt", "lte", "in", "like", "fuzzy", "keyword", "contains", "any")


class Condition(BaseModel):
    """One node of the condition language: exactly one operator."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    eq: dict[str, Scalar] | None = None
    neq: dict[str, Scalar] | None = None
    gt: dict[str, Scalar] | None = None
    gte: dict[str, Scalar] | None = None
    lt: dict[str, Scalar] | None = None
    lte: dict[str, Scalar] | None = None
    in_: dict[str, list[Scalar]] | None = Field(None, alias="in")
    like: dict[str, str] | None = None
    fuzzy: dict[str, str] | None = None
    keyword: dict[str, str] | None = None
    contains: dict[str, Scalar] | None = None
    any: dict[str, Condition] | None = None
    not_: Condition | None = Field(None, alias="not")
    and_: list[Condition] | None = Field(None, alias="and", min_length=1)
    or_: list[Condition] | None = Field(None, alias="or", min_length=1)

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [name for name, value in self.model_dump(by_alias=True, exclude_none=True).items()]
        if len(given) != 1:
            raise ValueError(f"a condition has exactly one operator, got {given or 'none'}")
        op = given[0]
        if op in _ONE_FIELD:
            operand = getattr(self, {"in": "in_"}.get(op, op))
            if len(operand) != 1:
                raise ValueError(f"'{op}' takes one field, e.g. {{'{op}': {{'status': ...}}}}")
        return self

    def fields(self) -> list[str]:
        """Every field name the condition refers to (nested ones included)."""
        names: list[str] = []
        for op in _ONE_FIELD:
            operand = getattr(self, {"in": "in_"}.get(op, op))
            if operand:
                names.extend(operand)
                if op == "any":
                    for sub in operand.values():
                        names.extend(f"{next(iter(operand))}.{n}" for n in sub.fields())
        for sub in [self.not_, *(self.and_ or []), *(self.or_ or [])]:
            if sub is not None:
                names.extend(sub.fields())
        return names


def _known(entity: str, names: list[str], where: str) -> None:
    allowed = SEARCHABLE_FIELDS[entity]
    unknown = [n for n in names if n not in allowed and n.split(".")[0] not in allowed]
    if unknown:
        raise ValueError(
            f"unknown {entity} field(s) in {where}: {', '.join(unknown)}; fields are camelCase, e.g. "
            f"{', '.join(sorted(allowed)[:8])}, ..."
        )


def _search_model(entity: str) -> type[Params]:
    def check_filter(value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _known(entity, Condition.model_validate(value).fields(), "filter")
        return value

    def check_sort(value: SortKeys | None) -> SortKeys | None:
        if value is not None:
            _known(entity, [name for item in value for name in item], "sort")
        return value

    def check_fields(value: list[str] | None) -> list[str] | None:
        if value is not None:
            _known(entity, value, "fields")
        return value

    query = create_model(
        f"{entity.title()}SearchQuery",
        __base__=Params,
        filter=(
            Annotated[dict[str, Any] | None, AfterValidator(check_filter)],
            Field(
                None,
                description=(
                    "Condition, e.g. {'eq': {'status': 'unresolved'}}; operators eq, neq, gt, gte, lt, lte, in, "
                    "like, fuzzy, keyword, contains, any, and, or, not. Field names are camelCase."
                ),
            ),
        ),
        sort=(
            Annotated[SortKeys | None, AfterValidator(check_sort)],
            Field(None, description="Sort keys, e.g. [{'lastSeen': 'desc'}]."),
        ),
    )
    return create_model(
        f"{entity.title()}ContextStoreSearch",
        __base__=Params,
        __doc__=f"Search the synced {entity}.",
        query=(query, Field(description="The search: {'filter': ..., 'sort': [...]}.")),
        limit=(
            int | None,
            Field(None, ge=1, le=SEARCH_MAX_LIMIT, description=f"Maximum records, 1-{SEARCH_MAX_LIMIT}."),
        ),
        cursor=(
            str | None,
            Field(None, max_length=2000, description="Cursor from a previous result's meta.next_cursor."),
        ),
        fields=(
            Annotated[list[str] | None, AfterValidator(check_fields)],
            Field(None, description="Field paths to return, dotted for nested ones, e.g. ['id', 'project.slug']."),
        ),
    )


PAIRS = [
    Pair(
        entity=entity,
        action="context_store_search",
        params=_search_model(entity),
        kind=Kind.LIST,
        description=f"Search Airbyte's synced copy of Sentry {entity} (hosted backend only).",
        hosted=HostedCall(),
    )
    for entity in ("projects", "issues", "events", "releases")
]
