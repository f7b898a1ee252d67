"""The events of a `dbt build --selector <name>` run without a Dagster context, turned into the
step's own events: a materialization of a selected asset becomes its Output, a test result on a
selected check its AssetCheckResult. Anything dbt built or tested outside the run's selection is
recorded as an observation, so nothing is reported for an asset the run did not select.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckResult,
    AssetExecutionContext,
    AssetMaterialization,
    AssetObservation,
    Output,
)


def as_step_events(events: Iterable[Any], context: AssetExecutionContext) -> Iterator[Any]:
    selected = context.selected_asset_keys
    checks = context.selected_asset_check_keys
    for event in events:
        if isinstance(event, AssetMaterialization):
            if event.asset_key in selected:
                yield Output(
                    value=None,
                    output_name=event.asset_key.to_python_identifier(),
                    metadata=event.metadata,
                )
            else:
                yield AssetObservation(asset_key=event.asset_key, metadata=event.metadata)
        elif isinstance(event, AssetCheckEvaluation):
            if event.asset_check_key in checks:
                yield AssetCheckResult(
                    asset_key=event.asset_key,
                    check_name=event.check_name,
                    passed=event.passed,
                    severity=event.severity,
                    metadata=event.metadata,
                )
            else:
                context.log.info(
                    f"dbt test {event.check_name} on {event.asset_key.to_user_string()} "
                    f"({'passed' if event.passed else 'failed'}) is outside this run's selection"
                )
        else:
            yield event
