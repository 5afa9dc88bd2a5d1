"""The Dockerfile and deploy/ (README "Deploy for a team") parse, say what a team deployment needs, and the
image's command line starts the server. Docker is not on the test machines: the command runs as is, on the
venv's interpreter, bound to 127.0.0.1 and a free port instead of 0.0.0.0:8000."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx2
import pytest
import yaml
from pydantic import AliasChoices

from sentry_agent_mcp.config import Settings
from sentry_demo import DemoSentryServer
from sentry_demo.server import free_port
from test_scale_out import serving_command

from conftest import CANARY_TOKEN, PYTHON, ROOT

DOCKERFILE = ROOT / "Dockerfile"
KUBERNETES = ROOT / "deploy" / "kubernetes.yaml"
COMPOSE = ROOT / "deploy" / "compose.yaml"


def instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile: comments dropped, backslash continuations joined."""
    found: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        found.append((keyword.upper(), arguments.strip()))
        pending = ""
    return found


def exec_form(arguments: str) -> list[str]:
    """A JSON-array (exec form) argument list; a shell form would run through /bin/sh, and signals miss the server."""
    value = json.loads(arguments)
    assert isinstance(value, list) and all(isinstance(part, str) for part in value), arguments
    return value


def one(found: list[tuple[str, str]], keyword: str) -> str:
    matches = [arguments for name, arguments in found if name == keyword]
    assert len(matches) == 1, f"{keyword}: {matches}"
    return matches[0]


def image_command() -> list[str]:
    found = instructions(DOCKERFILE)
    return exec_form(one(found, "ENTRYPOINT")) + exec_form(one(found, "CMD"))


def settings_variables() -> set[str]:
    """Every environment variable ``Settings`` reads."""
    names: set[str] = set()
    for field in Settings.model_fields.values():
        if isinstance(field.validation_alias, AliasChoices):
            names |= {c for c in field.validation_alias.choices if isinstance(c, str) and c.isupper()}
    return names


def test_the_image_is_slim_non_root_installed_from_the_checkout_and_checks_healthz() -> None:
    found = instructions(DOCKERFILE)
    assert one(found, "FROM").startswith(("python:3.12-slim", "python:3.11-slim"))
    user = one(found, "USER").split(":")[0]
    assert user not in ("root", "0", "")
    runs = " ".join(arguments for name, arguments in found if name == "RUN")
    assert "pip install ." in runs or 'pip install ".[' in runs
    copied = " ".join(arguments for name, arguments in found if name == "COPY")
    assert "pyproject.toml" in copied and "server" in copied
    healthcheck = one(found, "HEALTHCHECK")
    assert "/healthz" in healthcheck and "curl" not in healthcheck
    assert one(found, "EXPOSE") == "8000"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv"} <= set(ignored)


def test_the_image_serves_per_user_stateless_streamable_http_on_all_interfaces() -> None:
    command = image_command()
    assert command[0] == "sentry-agent-mcp" and command[1] == "serve"
    flags = " ".join(command[2:])
    for expected in ("--transport streamable-http", "--host 0.0.0.0", "--port 8000", "--http-auth per-user"):
        assert expected in flags
    assert "--stateless" in command


def _documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def test_the_kubernetes_example_runs_replicas_probed_on_healthz_as_non_root() -> None:
    docs = {doc["kind"]: doc for doc in _documents(KUBERNETES)}
    assert {"Deployment", "Service", "ConfigMap"} <= set(docs)
    deployment, service, config_map = docs["Deployment"], docs["Service"], docs["ConfigMap"]
    spec = deployment["spec"]
    assert spec["replicas"] >= 2
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"]["labels"]
    assert spec["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    (container,) = pod["containers"]
    port_names = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert port_names == {"http": 8000}
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert {"cpu", "memory"} <= set(container["resources"]["requests"])
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert container["envFrom"] == [{"configMapRef": {"name": config_map["metadata"]["name"]}}]
    assert set(config_map["data"]) <= settings_variables()
    shutdown = float(config_map["data"]["SENTRY_MCP_HTTP_SHUTDOWN_TIMEOUT"])
    pre_stop = float(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] > shutdown + pre_stop, "calls finish before Kubernetes kills"


def test_the_compose_file_builds_the_image_and_sets_only_known_variables() -> None:
    (document,) = _documents(COMPOSE)
    (service,) = document["services"].values()
    context = (COMPOSE.parent / service["build"]["context"]).resolve()
    assert (context / service["build"]["dockerfile"]).resolve() == DOCKERFILE.resolve()
    assert set(service["environment"]) <= settings_variables()
    shutdown = float(service["environment"].get("SENTRY_MCP_HTTP_SHUTDOWN_TIMEOUT", "10"))
    assert float(service["stop_grace_period"].removesuffix("s")) > shutdown, "calls finish before Docker kills"
    assert any(str(port).startswith("127.0.0.1:") for port in service["ports"]), "loopback until a TLS proxy"


@pytest.mark.parametrize("path", [KUBERNETES, COMPOSE], ids=["kubernetes", "compose"])
def test_deploy_files_parse_as_yaml(path: Path) -> None:
    assert _documents(path)


def readme_client_snippet() -> str:
    """The Python client of the README's "Deploy for a team" section."""
    section = (ROOT / "README.md").read_text().split("\n## Deploy for a team\n", 1)[1].split("\n## ", 1)[0]
    blocks = [block.split("```", 1)[0] for block in section.split("```python\n")[1:]]
    (snippet,) = [block for block in blocks if "streamable_http_client" in block]
    return snippet


def test_the_images_command_line_serves_the_readmes_python_client_and_passes_its_healthcheck(
    demo_sentry: DemoSentryServer, tmp_path: Path
) -> None:
    """The image's command (per-user, stateless) on 127.0.0.1: its health check, a 401 without a token, and
    the README's Python client with a user's token."""
    port = free_port()
    local = image_command()[1:]
    local[local.index("--host") + 1] = "127.0.0.1"
    local[local.index("--port") + 1] = str(port)
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    env["SENTRY_HOSTNAME"] = demo_sentry.url
    with serving_command([PYTHON, "-m", "sentry_agent_mcp", *local], port, env, tmp_path / "image.log"):
        health = httpx2.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        unauthenticated = httpx2.post(f"http://127.0.0.1:{port}/mcp", json={}, timeout=5)
        assert unauthenticated.status_code == 401, "per-user mode: no call without the caller's own token"
        probe = exec_form(one(instructions(DOCKERFILE), "HEALTHCHECK").split(" CMD ", 1)[1])
        assert probe[:2] == ["python", "-c"]
        checked = subprocess.run(
            [PYTHON, "-c", probe[2].replace(":8000/", f":{port}/")], capture_output=True, timeout=20, check=False
        )
        assert checked.returncode == 0, checked.stderr
        client_env = {**env, "SENTRY_MCP_URL": f"http://127.0.0.1:{port}/mcp", "SENTRY_AUTH_TOKEN": CANARY_TOKEN}
        done = subprocess.run(
            [PYTHON, "-c", readme_client_snippet()], env=client_env, capture_output=True, timeout=60, check=False
        )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    count, projects = done.stdout.decode().split("\n", 1)
    assert int(count.split()[0]) > 1 and '"slug"' in projects
