"""What the launcher runs and with which environment."""

from pathlib import Path

import pytest

from services.stack import plan
from services.stack.settings import StackSettings

TOKEN = "t" * 43


def settings(**env: str) -> StackSettings:
    return StackSettings.from_env({"STACK_RUN_DIR": "/srv/run", **env})


def test_services_start_servers_before_their_clients() -> None:
    names = [child.name for child in plan.service_commands("py", Path("/srv/run"), "INFO")]
    assert names == ["classifier", "metrics", "gateway", "router", "worker", "beat"]


def test_each_service_runs_its_documented_command() -> None:
    argv = {child.name: child.argv for child in plan.service_commands("py", Path("/srv/run"), "INFO")}
    assert argv["classifier"] == ("py", "-m", "services.classifier")
    assert argv["metrics"] == ("py", "-m", "services.metrics")
    assert argv["gateway"] == ("py", "-m", "gateway")
    assert argv["router"] == ("py", "-m", "services.router")
    celery = ("py", "-m", "celery", "-A", "services.workers.app")
    assert argv["worker"] == (*celery, "worker", "--loglevel", "INFO")
    assert argv["beat"] == (*celery, "beat", "--loglevel", "INFO")


def test_the_mail_listener_runs_after_the_gateway_when_configured() -> None:
    names = [child.name for child in plan.service_commands("py", Path("/srv/run"), "INFO", mail=True)]
    assert names == ["classifier", "metrics", "gateway", "mail", "router", "worker", "beat"]
    argv = {
        child.name: child.argv for child in plan.service_commands("py", Path("/srv/run"), "INFO", mail=True)
    }
    assert argv["mail"] == ("py", "-m", "services.mail")
    assert settings().mail is False
    configured = settings(MAIL_ADDRESSES="help@example.com", MAIL_INTAKE_TOKEN=TOKEN)
    assert configured.mail is True
    assert any(
        line.startswith("mail        smtp://127.0.0.1:2525")
        for line in plan.banner(
            configured, database_url="postgresql://x", embedded=False, broker_url="amqp://x", broker_dir=None
        )
    )


def test_migrations_run_with_the_same_python() -> None:
    assert plan.migrate_command("/v/bin/python").argv == ("/v/bin/python", "-m", "services.shared.migrations")


def test_no_broker_url_means_the_filesystem_broker_in_the_run_folder() -> None:
    assert plan.resolve_broker(settings()) == ("filesystem://", Path("/srv/run/broker"))


def test_a_filesystem_broker_keeps_its_configured_folder() -> None:
    chosen = settings(BROKER_URL="filesystem://", BROKER_FILESYSTEM_DIR="/data/box")
    assert plan.resolve_broker(chosen) == ("filesystem://", Path("/data/box"))


def test_an_amqp_broker_has_no_folder() -> None:
    chosen = settings(BROKER_URL="amqp://guest:guest@mq:5672//", BROKER_FILESYSTEM_DIR="/data/box")
    assert plan.resolve_broker(chosen) == ("amqp://guest:guest@mq:5672//", None)


@pytest.mark.parametrize(
    ("bind", "addr"),
    [
        ("0.0.0.0:50051", "localhost:50051"),
        ("[::]:50052", "localhost:50052"),
        (":7000", "localhost:7000"),
        ("127.0.0.1:6001", "127.0.0.1:6001"),
        ("classifier.internal:50051", "classifier.internal:50051"),
    ],
)
def test_client_addr_dials_localhost_for_wildcard_binds(bind: str, addr: str) -> None:
    assert plan.client_addr(bind) == addr


def test_child_environment_adds_the_chosen_servers_to_the_callers_environment() -> None:
    base = {"PATH": "/usr/bin", "LOG_LEVEL": "DEBUG"}
    env = plan.child_environment(
        base,
        database_url="postgresql:///x",
        broker_url="filesystem://",
        broker_dir=Path("/run/box"),
        internal_grpc_token=TOKEN,
    )
    assert env["PATH"] == "/usr/bin"
    assert env["LOG_LEVEL"] == "DEBUG"
    assert env["DATABASE_URL"] == "postgresql:///x"
    assert env["BROKER_URL"] == "filesystem://"
    assert env["BROKER_FILESYSTEM_DIR"] == "/run/box"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env["INTERNAL_GRPC_TOKEN"] == TOKEN
    assert base == {"PATH": "/usr/bin", "LOG_LEVEL": "DEBUG"}


def test_child_environment_sets_no_broker_folder_for_amqp() -> None:
    env = plan.child_environment(
        {}, database_url="d", broker_url="amqp://mq//", broker_dir=None, internal_grpc_token=TOKEN
    )
    assert "BROKER_FILESYSTEM_DIR" not in env


def test_peer_addresses_follow_the_servers_binds_unless_given() -> None:
    env = plan.child_environment(
        {"CLASSIFIER_BIND": "0.0.0.0:6001", "METRICS_ADDR": "metrics.example:7002", "METRICS_BIND": ""},
        database_url="postgresql:///x",
        broker_url="amqp://mq//",
        broker_dir=None,
        internal_grpc_token=TOKEN,
    )
    assert env["CLASSIFIER_ADDR"] == "localhost:6001"
    assert env["METRICS_ADDR"] == "metrics.example:7002"


def test_peer_addresses_default_to_the_default_ports() -> None:
    env = plan.child_environment(
        {"CLASSIFIER_ADDR": ""}, database_url="d", broker_url="b", broker_dir=None, internal_grpc_token=TOKEN
    )
    assert (env["CLASSIFIER_ADDR"], env["METRICS_ADDR"]) == ("127.0.0.1:50051", "127.0.0.1:50052")


def test_redact_hides_only_the_password() -> None:
    assert plan.redact("amqp://user:s3cret@mq:5672//") == "amqp://user:***@mq:5672//"
    assert (
        plan.redact("postgresql://postgres:@/ticketing?host=/run/pg")
        == "postgresql://postgres:@/ticketing?host=/run/pg"
    )
    assert plan.redact("filesystem://") == "filesystem://"


def test_banner_says_where_each_part_is() -> None:
    lines = plan.banner(
        settings(GATEWAY_PORT="9000", METRICS_BIND="127.0.0.1:7002"),
        database_url="postgresql://app:pw@db:5432/ticketing",
        embedded=False,
        broker_url="amqp://app:pw@mq//",
        broker_dir=None,
    )
    text = "\n".join(lines)
    assert "http://localhost:9000" in text
    assert "http://localhost:9000/docs" in text
    assert "127.0.0.1:50051" in text
    assert "127.0.0.1:7002" in text
    assert "postgresql://app:***@db:5432/ticketing" in text
    assert "amqp://app:***@mq//" in text
    assert ":pw@" not in text


def test_banner_names_the_embedded_data_and_broker_folders() -> None:
    text = "\n".join(
        plan.banner(
            settings(),
            database_url="postgresql://postgres:@/ticketing?host=/srv/run/pgdata",
            embedded=True,
            broker_url="filesystem://",
            broker_dir=Path("/srv/run/broker"),
        )
    )
    assert "embedded, data in /srv/run/pgdata" in text
    assert "folder /srv/run/broker" in text


def test_readiness_checks_probe_each_server_where_clients_reach_it() -> None:
    assert plan.readiness_checks(settings(GATEWAY_HOST="127.0.0.1", GATEWAY_PORT="9000")) == [
        ("classifier", "grpc", "127.0.0.1:50051"),
        ("metrics", "grpc", "127.0.0.1:50052"),
        ("gateway", "http", "http://127.0.0.1:9000/readyz"),
    ]


def test_label_pads_names_and_colours_only_when_asked() -> None:
    assert plan.label("beat", 8, None) == "beat     | "
    coloured = plan.label("beat", 8, 2)
    assert coloured.startswith("\x1b[33m") and coloured.endswith("\x1b[0m")
    assert "beat     | " in coloured


def test_the_env_file_names_the_gateway_a_local_client_dials_and_the_database() -> None:
    settings = StackSettings.from_env({"GATEWAY_PORT": "18080"})
    values = plan.env_file_values(settings, "postgresql://postgres@/ticketing?host=/x")
    assert values == {
        "GATEWAY": "http://localhost:18080",
        "DATABASE_URL": "postgresql://postgres@/ticketing?host=/x",
    }
