"""A small renderer of the kustomize features infra/k8s uses, so the manifests' test needs no binary.

It refuses any kustomization key it does not implement, so a manifest that starts using one fails
here instead of being checked half-rendered; where `kubectl kustomize` is installed the test also
compares the two renderings.
"""

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images", "replicas", "patches"}
# Kinds that live outside namespaces (of those a kustomization here may hold).
CLUSTER_SCOPED = {"Namespace"}


class Unsupported(ValueError):
    """The kustomization uses something this renderer does not implement."""


def render(folder: Path) -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((folder / "kustomization.yaml").read_text())
    unknown = set(kustomization) - SUPPORTED
    if unknown:
        raise Unsupported(f"{folder}: {sorted(unknown)}")
    resources: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        resources += _load(folder / entry)
    for patch in kustomization.get("patches", []):
        _apply_patch(resources, patch)
    for image in kustomization.get("images", []):
        _set_image(resources, image)
    for replicas in kustomization.get("replicas", []):
        _set_replicas(resources, replicas)
    for resource in resources:
        if "namespace" in kustomization and resource["kind"] not in CLUSTER_SCOPED:
            resource["metadata"]["namespace"] = kustomization["namespace"]
    return resources


def _load(path: Path) -> list[dict[str, Any]]:
    if path.is_dir():
        return render(path)
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _set_image(resources: list[dict[str, Any]], image: dict[str, str]) -> None:
    for container in _containers(resources):
        if container["image"].split(":")[0] == image["name"]:
            name = image.get("newName", image["name"])
            tag = image.get("newTag", container["image"].partition(":")[2])
            container["image"] = f"{name}:{tag}" if tag else name


def _set_replicas(resources: list[dict[str, Any]], replicas: dict[str, Any]) -> None:
    targets = [r for r in resources if r["metadata"]["name"] == replicas["name"] and "replicas" in r["spec"]]
    if not targets:
        raise Unsupported(f"replicas: no workload {replicas['name']}")
    for target in targets:
        target["spec"]["replicas"] = replicas["count"]


def _containers(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    pods = [r["spec"]["template"]["spec"] for r in resources if r["kind"] in ("Deployment", "Job")]
    return [c for pod in pods for c in pod.get("initContainers", []) + pod["containers"]]


def _apply_patch(resources: list[dict[str, Any]], patch: dict[str, Any]) -> None:
    target = patch["target"]
    if set(target) - {"kind", "name"} or set(patch) - {"target", "patch"}:
        raise Unsupported(f"patch: only JSON 6902 patches aimed by kind and name, not {patch}")
    matches = [
        r for r in resources if r["kind"] == target["kind"] and r["metadata"]["name"] == target["name"]
    ]
    if len(matches) != 1:
        raise Unsupported(f"patch: {len(matches)} resources match {target}")
    for operation in yaml.safe_load(patch["patch"]):
        _apply_operation(matches[0], operation)


def _apply_operation(document: dict[str, Any], operation: dict[str, Any]) -> None:
    *parents, last = [part.replace("~1", "/").replace("~0", "~") for part in operation["path"].split("/")[1:]]
    node: Any = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    op = operation["op"]
    if op == "remove":
        del node[int(last) if isinstance(node, list) else last]
        return
    if op not in ("add", "replace"):
        raise Unsupported(f"patch operation {op}")
    value = copy.deepcopy(operation["value"])
    if isinstance(node, list):
        if last == "-":
            node.append(value)
        elif op == "add":
            node.insert(int(last), value)
        else:
            node[int(last)] = value
    else:
        if op == "replace" and last not in node:
            raise Unsupported(f"patch: nothing to replace at {operation['path']}")
        node[last] = value
