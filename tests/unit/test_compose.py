"""docker-compose.yml and infra/Dockerfile keep the shape the design names (CI has no Docker engine)."""

import importlib.util
import pathlib
from typing import Any

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
APP_SERVICES = ["migrate", "classifier", "metrics", "gateway", "mail", "router", "worker", "beat"]
DEPENDS_ON = {
    "migrate": {"postgres": "service_healthy"},
    "classifier": {},
    "metrics": {"migrate": "service_completed_successfully"},
    "gateway": {
        "migrate": "service_completed_successfully",
        "classifier": "service_healthy",
        "metrics": "service_healthy",
    },
    "mail": {"gateway": "service_healthy"},
    "router": {"migrate": "service_completed_successfully"},
    "worker": {"rabbitmq": "service_healthy", "migrate": "service_completed_successfully"},
    "beat": {"rabbitmq": "service_healthy", "migrate": "service_completed_successfully"},
}


# Settings a service adds to the shared environment.
OWN_SETTINGS = {
    "MODEL_DIR",
    "CLASSIFIER_BIND",
    "METRICS_BIND",
    "METRICS_HTTP_BIND",
    "PROMETHEUS_TOKEN",
    "SMTP_BIND",
    "GATEWAY_URL",
    "MAIL_INTAKE_TOKEN",
}
SECRETS = ["POSTGRES_PASSWORD", "RABBITMQ_USER", "RABBITMQ_PASSWORD", "INTERNAL_GRPC_TOKEN"]


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return dict(compose["services"])


def test_every_process_of_the_design_is_a_service(services: dict[str, Any]) -> None:
    assert set(services) == {"postgres", "rabbitmq", *APP_SERVICES}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_each_process_waits_for_what_it_needs(services: dict[str, Any], name: str) -> None:
    depends_on = services[name].get("depends_on", {})
    assert {dep: spec["condition"] for dep, spec in depends_on.items()} == DEPENDS_ON[name]


def test_every_service_waited_on_as_healthy_has_a_healthcheck(services: dict[str, Any]) -> None:
    healthy = {dep for deps in DEPENDS_ON.values() for dep, cond in deps.items() if cond == "service_healthy"}
    assert healthy == {"postgres", "rabbitmq", "classifier", "metrics", "gateway"}
    for name in healthy | {"gateway"}:
        assert services[name].get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


@pytest.mark.parametrize(
    ("name", "probe"),
    [
        ("postgres", ["CMD", "pg_isready"]),
        ("rabbitmq", ["CMD", "rabbitmq-diagnostics", "-q", "ping"]),
        ("classifier", ["CMD", "python", "-m", "services.stack.probe", "grpc", "localhost:50051"]),
        ("metrics", ["CMD", "python", "-m", "services.stack.probe", "grpc", "localhost:50052"]),
        ("gateway", ["CMD", "python", "-m", "services.stack.probe", "http", "http://localhost:8080/readyz"]),
    ],
)
def test_healthchecks_probe_the_right_thing(services: dict[str, Any], name: str, probe: list[str]) -> None:
    assert services[name]["healthcheck"]["test"][: len(probe)] == probe


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("migrate", ["python", "-m", "services.shared.migrations"]),
        ("classifier", ["python", "-m", "services.classifier"]),
        ("metrics", ["python", "-m", "services.metrics"]),
        ("gateway", ["python", "-m", "gateway"]),
        ("mail", ["python", "-m", "services.mail"]),
        ("worker", ["celery", "-A", "services.workers.app", "worker"]),
        ("beat", ["celery", "-A", "services.workers.app", "beat"]),
    ],
)
def test_every_process_runs_from_the_one_image(
    services: dict[str, Any], name: str, command: list[str]
) -> None:
    service = services[name]
    assert service["build"]["dockerfile"] == "infra/Dockerfile"
    assert service["image"] == services["gateway"]["image"]
    assert service["command"][: len(command)] == command


def test_migrate_runs_once(services: dict[str, Any]) -> None:
    assert services["migrate"]["restart"] == "no"


def test_processes_find_each_other_and_the_servers_by_service_name(services: dict[str, Any]) -> None:
    env = services["gateway"]["environment"]
    assert env["CLASSIFIER_ADDR"] == "classifier:50051"
    assert env["METRICS_ADDR"] == "metrics:50052"
    assert "@postgres:5432/" in env["DATABASE_URL"]
    assert env["BROKER_URL"].startswith("amqp://") and "@rabbitmq:5672/" in env["BROKER_URL"]
    for name in APP_SERVICES:
        # Every process shares the one environment; the servers add where they listen, the
        # classifier where it keeps its model.
        own = {k: v for k, v in services[name]["environment"].items() if k not in OWN_SETTINGS}
        assert own == env


def test_the_classifier_keeps_its_trained_model_in_a_volume(services: dict[str, Any]) -> None:
    classifier = services["classifier"]
    assert "models:" + classifier["environment"]["MODEL_DIR"] in classifier["volumes"]


def test_the_gateway_is_published_on_8080(services: dict[str, Any]) -> None:
    assert "8080:8080" in services["gateway"]["ports"]


def test_the_mail_listener_is_opt_in_and_not_published(services: dict[str, Any]) -> None:
    assert services["mail"]["profiles"] == ["mail"]
    assert "ports" not in services["mail"]


def test_python_modules_named_by_healthchecks_exist(services: dict[str, Any]) -> None:
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test", [])
        if "-m" in test:
            module = test[test.index("-m") + 1]
            assert importlib.util.find_spec(module) is not None, f"{name}'s healthcheck runs missing {module}"


def test_the_image_is_slim_python_311_and_runs_as_a_non_root_user() -> None:
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text(encoding="utf-8")
    assert "FROM python:3.11-slim" in dockerfile
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in {"root", "0"}


def test_only_the_gateway_is_published_on_the_host(services: dict[str, Any]) -> None:
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert published == {"gateway": ["8080:8080"]}
    assert "management" not in services["rabbitmq"]["image"]


def test_the_internal_servers_listen_on_the_compose_network(services: dict[str, Any]) -> None:
    assert services["classifier"]["environment"]["CLASSIFIER_BIND"] == "0.0.0.0:50051"
    assert services["metrics"]["environment"]["METRICS_BIND"] == "0.0.0.0:50052"
    # Prometheus text stays inside the container unless a token-carrying scraper is configured.
    http_bind = services["metrics"]["environment"]["METRICS_HTTP_BIND"]
    assert http_bind.startswith("${METRICS_HTTP_BIND:-127.0.0.1:")


@pytest.mark.parametrize("name", SECRETS)
def test_secrets_come_from_the_environment_with_no_default(name: str) -> None:
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert f"${{{name}:?" in text
    assert f"${{{name}:-" not in text and f"${{{name}-" not in text and f"${{{name}}}" not in text


def test_no_password_is_written_into_the_file(services: dict[str, Any]) -> None:
    env = services["gateway"]["environment"]
    assert env["INTERNAL_GRPC_TOKEN"].startswith("${INTERNAL_GRPC_TOKEN:?")
    assert ":${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert ":${RABBITMQ_PASSWORD:?" in env["BROKER_URL"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert services["rabbitmq"]["environment"]["RABBITMQ_DEFAULT_PASS"].startswith("${RABBITMQ_PASSWORD:?")
