"""infra/k8s (kustomize): every process, validated against Kubernetes' schemas, and the promises of
docs/scaling.md — one beat, probes, disruption budgets, queue-depth scaling, settings each process can
start with. Offline: a small renderer (kustomize_lite) unless `kubectl kustomize` is installed, in which
case the two renderings must agree."""

import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes_validate import utils as kubernetes_validate

from gateway.settings import GatewaySettings
from services.classifier.settings import ClassifierSettings
from services.mail.settings import ListenerSettings
from services.metrics.settings import MetricsSettings
from services.router.settings import RouterSettings
from services.stack import plan
from services.workers.app import FAMILIES
from services.workers.settings import WorkerSettings
from tests.unit.infra import kustomize_lite

ROOT = Path(__file__).resolve().parents[3]
K8S = ROOT / "infra" / "k8s"
FOLDERS = ["base", "overlays/example"]
# The oldest Kubernetes the manifests promise to run on (gRPC probes, policy/v1, autoscaling/v2).
KUBERNETES_VERSION = "1.30"
# Kinds whose schemas are not Kubernetes' own (KEDA's custom resources).
CUSTOM_KINDS = {"ScaledObject", "TriggerAuthentication"}
SECRET_KEYS = {"DATABASE_URL", "BROKER_URL", "INTERNAL_GRPC_TOKEN", "MAIL_INTAKE_TOKEN"}
# Stand-ins for the Secret's values, which are never committed.
FAKE_SECRETS = {
    "DATABASE_URL": "postgresql://ticketing:x@postgres:5432/ticketing",
    "BROKER_URL": "amqp://ticketing:x@rabbitmq:5672//",
    "INTERNAL_GRPC_TOKEN": "0123456789abcdef" * 4,
    "MAIL_INTAKE_TOKEN": "mail-intake-token",
}
# Each process's settings, as its __main__ builds them: the workload must give it what it needs.
SETTINGS: dict[str, Callable[[Mapping[str, str]], Any]] = {
    "gateway": GatewaySettings.from_env,
    "router": RouterSettings.from_env,
    "classifier": ClassifierSettings.from_env,
    "metrics": MetricsSettings.from_env,
    "worker": WorkerSettings.from_env,
    "beat": WorkerSettings.from_env,
    "mail": ListenerSettings.from_env,
}


def _kubectl_render(folder: Path) -> list[dict[str, Any]] | None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        return None
    out = subprocess.run(
        [kubectl, "kustomize", str(folder)], capture_output=True, text=True, check=True, timeout=60
    )
    return [doc for doc in yaml.safe_load_all(out.stdout) if doc]


def _by_name(resources: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["kind"], r["metadata"]["name"]): r for r in resources}


@pytest.fixture(scope="module", params=FOLDERS)
def rendered(request: pytest.FixtureRequest) -> dict[tuple[str, str], dict[str, Any]]:
    return _by_name(kustomize_lite.render(K8S / request.param))


def _workloads(rendered: dict[tuple[str, str], dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {name: r for (kind, name), r in rendered.items() if kind in ("Deployment", "Job")}


def _min_replicas(rendered: dict[tuple[str, str], dict[str, Any]], name: str) -> int:
    """The fewest pods a workload runs: its replicas, or its autoscaler's floor when one owns the count."""
    spec = rendered[("Deployment", name)]["spec"]
    if ("HorizontalPodAutoscaler", name) in rendered:
        assert "replicas" not in spec, f"{name}: the autoscaler owns the count; apply would reset it"
        return int(rendered[("HorizontalPodAutoscaler", name)]["spec"]["minReplicas"])
    if ("ScaledObject", name) in rendered:
        assert "replicas" not in spec, f"{name}: KEDA owns the count; apply would reset it"
        return int(rendered[("ScaledObject", name)]["spec"]["minReplicaCount"])
    return int(spec["replicas"])


def _container(workload: dict[str, Any]) -> dict[str, Any]:
    containers = workload["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one process per pod"
    return dict(containers[0])


def _environment(rendered: dict[tuple[str, str], dict[str, Any]], workload: dict[str, Any]) -> dict[str, str]:
    """The container's environment as the kubelet builds it, the Secret's values faked."""
    container = _container(workload)
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env |= rendered[("ConfigMap", source["configMapRef"]["name"])]["data"]
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        else:
            ref = variable["valueFrom"]["secretKeyRef"]
            assert ref["name"] == "ticketing-secrets"
            env[variable["name"]] = FAKE_SECRETS[ref["key"]]
    return env


@pytest.mark.parametrize("folder", FOLDERS)
def test_the_renderer_agrees_with_kubectl_kustomize(folder: str):
    ours = _by_name(kustomize_lite.render(K8S / folder))
    theirs = _kubectl_render(K8S / folder)
    if theirs is None:
        pytest.skip("kubectl is not installed; the manifests are checked as kustomize_lite renders them")
    assert ours == _by_name(theirs)


def test_every_resource_is_valid_against_the_kubernetes_schemas(
    rendered: dict[tuple[str, str], dict[str, Any]],
):
    for (kind, name), resource in rendered.items():
        if kind in CUSTOM_KINDS:
            assert resource["apiVersion"] == "keda.sh/v1alpha1"
            continue
        try:
            kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            pytest.fail(f"{kind}/{name}: {exc.message} at {list(exc.path)}")


def test_the_validator_catches_a_misspelt_field(rendered: dict[tuple[str, str], dict[str, Any]]):
    gateway = yaml.safe_load(yaml.safe_dump(rendered[("Deployment", "gateway")]))
    container = gateway["spec"]["template"]["spec"]["containers"][0]
    container["readinesProbe"] = container.pop("readinessProbe")
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(gateway, KUBERNETES_VERSION, strict=True)


def test_every_process_of_the_stack_runs_with_its_command(rendered: dict[tuple[str, str], dict[str, Any]]):
    # The launcher's list (services/stack/plan.py) is the list of processes; `python -m celery` there
    # is `celery` here, and log level and pool size are the deployment's to choose.
    expected = {
        child.name: _essential(child.argv[1:])
        for child in [
            plan.migrate_command("python"),
            *plan.service_commands("python", Path("."), "INFO", mail=True),
        ]
    }
    workloads = _workloads(rendered)
    name_of = {"ticketing-migrate": "migrate"}
    assert {name_of.get(n, n) for n in workloads} == set(expected)
    for name, workload in workloads.items():
        command = _container(workload)["command"]
        assert command[0] in ("python", "celery"), f"{name} runs under a shell"
        assert (
            _essential(command[1:] if command[0] == "python" else command)
            == expected[name_of.get(name, name)]
        )


def _essential(argv: list[str] | tuple[str, ...]) -> list[str]:
    """The command without `-m` and the options a deployment chooses (log level, pool size)."""
    chosen = {"--loglevel", "--concurrency"}
    kept = [arg for arg in argv if arg != "-m"]
    return [arg for i, arg in enumerate(kept) if arg not in chosen and (i == 0 or kept[i - 1] not in chosen)]


def test_exactly_one_beat_replaced_not_rolled(rendered: dict[tuple[str, str], dict[str, Any]]):
    beat = rendered[("Deployment", "beat")]
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"] == {"type": "Recreate"}
    scaled = {
        r["spec"]["scaleTargetRef"]["name"]
        for (k, _), r in rendered.items()
        if k in ("HorizontalPodAutoscaler", "ScaledObject")
    }
    assert "beat" not in scaled
    beats = [w for w in _workloads(rendered).values() if "beat" in _container(w)["command"]]
    assert beats == [beat]


@pytest.mark.parametrize("name", ["gateway", "router"])
def test_gateway_and_router_run_several_with_a_disruption_budget(
    rendered: dict[tuple[str, str], dict[str, Any]], name: str
):
    workload = rendered[("Deployment", name)]
    replicas = _min_replicas(rendered, name)
    assert replicas >= 2
    budget = rendered[("PodDisruptionBudget", name)]
    assert (
        budget["spec"]["selector"]["matchLabels"].items()
        <= workload["spec"]["template"]["metadata"]["labels"].items()
    )
    assert 1 <= budget["spec"]["minAvailable"] < replicas


def test_every_long_running_process_has_probes(rendered: dict[tuple[str, str], dict[str, Any]]):
    for (kind, name), workload in rendered.items():
        if kind != "Deployment":
            continue
        container = _container(workload)
        assert "livenessProbe" in container, name
        # Beat and the workers take no traffic and count in no budget: nothing to be ready for.
        if name not in ("beat", "worker"):
            assert "readinessProbe" in container, name


def test_servers_are_probed_the_way_they_answer(rendered: dict[tuple[str, str], dict[str, Any]]):
    gateway = _container(rendered[("Deployment", "gateway")])
    assert gateway["startupProbe"]["httpGet"]["path"] == "/readyz"
    assert gateway["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert gateway["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for name, port in (("classifier", 50051), ("metrics", 50052)):
        container = _container(rendered[("Deployment", name)])
        assert container["readinessProbe"]["grpc"] == {"port": port}
        assert container["livenessProbe"]["grpc"] == {"port": port}
    # Router and beat: the heartbeat file the process is told to touch is the one the probe reads.
    for name, variable in (("router", "ROUTER_HEARTBEAT_FILE"), ("beat", "BEAT_HEARTBEAT_FILE")):
        workload = rendered[("Deployment", name)]
        path = _environment(rendered, workload)[variable]
        command = _container(workload)["livenessProbe"]["exec"]["command"]
        assert command[:5] == ["python", "-m", "services.stack.probe", "fresh", path]


def test_workers_scale_on_the_depth_of_the_apps_queues(rendered: dict[tuple[str, str], dict[str, Any]]):
    scaled = rendered[("ScaledObject", "worker")]
    assert scaled["spec"]["scaleTargetRef"] == {"name": "worker"}
    assert scaled["spec"]["minReplicaCount"] >= 1  # beat's ticks expire: a worker always runs
    # The queues as the workers name them (CELERY_QUEUE_PREFIX included, if an overlay sets one).
    settings = WorkerSettings.from_env(_environment(rendered, rendered[("Deployment", "worker")]))
    queues = {t["metadata"]["queueName"] for t in scaled["spec"]["triggers"]}
    assert queues == {settings.queue(family.FAMILY) for family in FAMILIES}
    assert {t["metadata"]["mode"] for t in scaled["spec"]["triggers"]} == {"QueueLength"}
    auth = {t["authenticationRef"]["name"] for t in scaled["spec"]["triggers"]}
    assert auth == {"rabbitmq"}
    assert rendered[("TriggerAuthentication", "rabbitmq")]["spec"]["secretTargetRef"] == [
        {"parameter": "host", "name": "ticketing-secrets", "key": "BROKER_URL"}
    ]


def test_each_process_starts_with_the_environment_it_is_given(
    rendered: dict[tuple[str, str], dict[str, Any]],
):
    for name, build in SETTINGS.items():
        workload = rendered[("Deployment", name)]
        if _min_replicas(rendered, name) == 0:
            continue  # the mail listener is off in the base until an overlay configures it
        build(_environment(rendered, workload))  # raises SettingsError naming what is missing
    worker = WorkerSettings.from_env(_environment(rendered, rendered[("Deployment", "worker")]))
    assert worker.internal_grpc is not None, "the re-routing sweep needs the internal secret"


def test_processes_find_the_servers_through_their_services(rendered: dict[tuple[str, str], dict[str, Any]]):
    def service_port(name: str) -> int:
        service = rendered[("Service", name)]
        deployment = rendered[("Deployment", name)]
        assert (
            service["spec"]["selector"].items()
            <= deployment["spec"]["template"]["metadata"]["labels"].items()
        )
        named = {p["name"]: p["containerPort"] for p in _container(deployment)["ports"]}
        (port,) = service["spec"]["ports"]
        assert port["targetPort"] in named
        return int(port["port"])

    gateway = _environment(rendered, rendered[("Deployment", "gateway")])
    for server, address in (("classifier", "CLASSIFIER_ADDR"), ("metrics", "METRICS_ADDR")):
        assert gateway[address] == f"{server}:{service_port(server)}"
        bind = _environment(rendered, rendered[("Deployment", server)])[f"{server.upper()}_BIND"]
        assert bind.rpartition(":")[0] in plan.WILDCARD_HOSTS, f"{server} must listen beyond the pod"
    mail = _environment(rendered, rendered[("Deployment", "mail")])
    assert mail["GATEWAY_URL"] == f"http://gateway:{service_port('gateway')}"
    assert gateway["GATEWAY_HOST"] in plan.WILDCARD_HOSTS


def test_secrets_are_referenced_never_committed(rendered: dict[tuple[str, str], dict[str, Any]]):
    assert not [key for key in rendered if key[0] == "Secret"]
    for name, workload in _workloads(rendered).items():
        for variable in _container(workload).get("env", []):
            if "valueFrom" in variable:
                ref = variable["valueFrom"]["secretKeyRef"]
                assert (ref["name"], ref["key"]) == ("ticketing-secrets", variable["name"]), name
                assert ref["key"] in SECRET_KEYS
        assert set(_container(workload).get("envFrom", [{}])[0]) <= {"configMapRef"}, name
    assert not set(rendered[("ConfigMap", "ticketing-config")]["data"]) & SECRET_KEYS


def test_one_pinned_image_for_every_process(rendered: dict[tuple[str, str], dict[str, Any]]):
    images = {_container(w)["image"] for w in _workloads(rendered).values()}
    assert len(images) == 1
    (image,) = images
    tag = image.rpartition("/")[2].partition(":")[2]
    assert tag and tag != "latest", image


def test_every_pod_runs_unprivileged_within_its_resources(rendered: dict[tuple[str, str], dict[str, Any]]):
    for name, workload in _workloads(rendered).items():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] != 0, name
        assert pod["automountServiceAccountToken"] is False, name
        container = _container(workload)
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }, name
        for bound in ("requests", "limits"):
            assert set(container["resources"][bound]) == {"cpu", "memory"}, name


def test_the_renderer_refuses_what_it_does_not_implement(tmp_path: Path):
    (tmp_path / "kustomization.yaml").write_text("resources: []\ncommonLabels: {a: b}\n")
    with pytest.raises(kustomize_lite.Unsupported, match="commonLabels"):
        kustomize_lite.render(tmp_path)


if (
    __name__ == "__main__"
):  # a rendering to read: python -m tests.unit.infra.test_k8s_manifests overlays/example
    yaml.safe_dump_all(kustomize_lite.render(K8S / sys.argv[1]), sys.stdout, sort_keys=False)
