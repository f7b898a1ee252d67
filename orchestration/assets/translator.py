"""How dbt nodes look in Dagster: a group per layer, owners, and a description on every check.

Groups come from where a node sits in the project (its fqn) and who reads it, never from a list
of models, so the graph reads left to right: ingestion -> rating -> marts, audit -> billing.

    models/intermediate/<layer>/...   <layer>: ingestion or rating
    models/marts/, models/audit/      marts, audit
    models/staging/*, seeds           the first layer (in that order) of the models that read
                                      them: stg_landing__event_records and the contracts,
                                      accounts and meters go with ingestion, prices with rating
    sources                           the layer that owns the source
    (the Python billing assets)       billing (orchestration/assets/billing.py)

A dbt test is a check on the model it tests; a singular test that reads several models names
its model in `meta.dagster.ref` (tests/singular/*/_*__tests.yml). The check's description is the
test's `description` from YAML, else one made from the generic test's name and arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetCheckSpec, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

LAYERS = ("ingestion", "rating", "marts", "audit", "billing")
# The layer owning each dbt source (models/staging/_*__sources.yml).
SOURCE_LAYERS = {"landing": "ingestion", "meterline_raw": "ingestion", "billing": "billing"}
# Dagster owners per layer ("team:" names, shown on every asset page).
LAYER_OWNERS = {
    "ingestion": "team:data-platform",
    "rating": "team:analytics-engineering",
    "marts": "team:analytics-engineering",
    "audit": "team:data-platform",
    "billing": "team:finance",
}
# Sources written by the orchestration after dbt (the period close): drawn downstream of the
# marts, so the staging views reading an earlier run's freeze do not draw an edge back (a cycle).
ORCHESTRATION_SOURCES = ("billing",)


def layer_of(manifest: Mapping[str, Any], unique_id: str) -> str:
    """The layer (Dagster group) of a dbt model, seed or source."""
    if unique_id.startswith("source."):
        return SOURCE_LAYERS.get(manifest["sources"][unique_id]["source_name"], "ingestion")
    props = manifest["nodes"][unique_id]
    folders = list(props["fqn"][1:-1])
    if folders[:1] == ["intermediate"] and len(folders) > 1 and folders[1] in LAYERS:
        return folders[1]
    if folders[:1] and folders[0] in LAYERS:
        return folders[0]
    if props["resource_type"] == "seed" or folders[:1] == ["staging"]:
        readers = [
            child for child in manifest["child_map"].get(unique_id, [])
            if child.split(".")[0] in ("model", "seed", "snapshot")
        ]
        layers = {layer_of(manifest, child) for child in readers}
        return min(layers, key=LAYERS.index) if layers else "rating"
    raise ValueError(f"no layer for dbt node {unique_id} (fqn {props['fqn']})")


def check_description(test: Mapping[str, Any]) -> str:
    """The test's YAML description, else one made from the generic test and its arguments."""
    described = test.get("description") or (test.get("meta") or {}).get("description")
    if described:
        return " ".join(str(described).split())
    metadata = test.get("test_metadata") or {}
    name = metadata.get("name") or test["name"]
    column = test.get("column_name")
    arguments = {
        key: value
        for key, value in (metadata.get("kwargs") or {}).items()
        if key not in ("model", "column_name")
    }
    text = f"dbt test `{name}`" + (f" on column `{column}`" if column else "")
    if arguments:
        text += ": " + ", ".join(f"{key}={value}" for key, value in sorted(arguments.items()))
    severity = str((test.get("config") or {}).get("severity") or "error").lower()
    return text + ("" if severity == "error" else f" (severity {severity}: warns only)")


class MeterlineTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True))

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        layer = layer_of(manifest, unique_id)
        spec = spec.replace_attributes(group_name=layer, owners=[LAYER_OWNERS[layer]])
        props = self.get_resource_props(manifest, unique_id)
        frozen = [
            upstream for upstream in props.get("depends_on", {}).get("nodes", [])
            if upstream.split(".")[0] == "source"
            and manifest["sources"][upstream]["source_name"] in ORCHESTRATION_SOURCES
        ]
        if not frozen:
            return spec
        keys = {self.get_asset_spec(manifest, source, project).key for source in frozen}
        names = ", ".join(sorted(key.to_user_string() for key in keys))
        return spec.replace_attributes(
            deps=[dep for dep in spec.deps if dep.asset_key not in keys],
            description=(
                f"{spec.description or ''}\n\nReads {names} as frozen by earlier runs' period "
                "close (billing/period_close writes them after this build)."
            ).strip(),
        )

    def get_asset_check_spec(
        self,
        asset_spec: AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        test = self.get_resource_props(manifest, unique_id)
        return AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=check_description(test),
            additional_deps=spec.additional_deps,
            metadata=spec.metadata,
            blocking=spec.blocking,
        )
