"""How dbt nodes look in Dagster: a group per layer, owners, and a description on every check.

Groups come from where a node sits in the project (its fqn), never from a list of models:

    models/intermediate/<layer>/...   <layer>: ingestion or rating
    models/marts/, models/audit/      marts, audit
    models/staging/stg_<source>__*    the layer that owns the source (landing: ingestion,
                                      billing: billing, the orchestration's freeze tables)
    models/staging/stg_<seed>, seeds  rating (accounts, contracts, prices: the rating inputs)
    sources                           the layer that owns the source, as above

A dbt test is a check on the model it tests; a singular test that reads several models names
its model in `meta.dagster.ref` (tests/singular/*/_*__tests.yml). The check's description is the
test's `description` from YAML, else one made from the generic test's name and arguments.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster import AssetCheckSpec, AssetSpec
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject

LAYERS = ("ingestion", "rating", "marts", "audit", "billing")
# The layer owning each dbt source (models/**/_*__sources.yml, models/sources_billing.yml).
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


def layer_of(props: Mapping[str, Any]) -> str:
    """The layer (Dagster group) of a dbt model, seed or source, from its place in the project."""
    if props["resource_type"] == "source":
        return SOURCE_LAYERS.get(props["source_name"], "ingestion")
    if props["resource_type"] == "seed":
        return "rating"
    folders = list(props["fqn"][1:-1])
    if folders[:1] == ["intermediate"] and len(folders) > 1 and folders[1] in LAYERS:
        return folders[1]
    if folders[:1] and folders[0] in LAYERS:
        return folders[0]
    if folders[:1] == ["staging"]:
        name = props["name"]
        source = name.removeprefix("stg_").split("__")[0] if "__" in name else None
        return SOURCE_LAYERS.get(source or "", "rating")
    raise ValueError(f"no layer for dbt node {props['unique_id']} (fqn {props['fqn']})")


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

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return layer_of(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        layer = layer_of(dbt_resource_props)
        return [LAYER_OWNERS[layer]]

    def get_asset_spec(
        self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None
    ) -> AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
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
