"""Usage and spend alerts: marts/fct_alert_crossings -> billing/alert_webhook.

Each crossing is sent once to METERLINE_ALERT_WEBHOOK_URL (orchestration/billing/alerts.py);
without a URL nothing is sent or recorded: an observation says so, and no materialization is
recorded (as the Stripe push without a key).
"""

from collections.abc import Iterator

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_dbt import get_asset_key_for_model

from orchestration.assets.dbt import meterline_dbt
from orchestration.billing import alerts
from orchestration.billing.ledger import PushLedger
from orchestration.policies import TRANSIENT_RETRY
from orchestration.resources import AlertWebhookResource, WarehouseResource

ALERT_CROSSINGS_KEY = get_asset_key_for_model([meterline_dbt], "fct_alert_crossings")
ALERT_WEBHOOK_KEY = AssetKey(["billing", "alert_webhook"])


@asset(
    key=ALERT_WEBHOOK_KEY,
    deps=[ALERT_CROSSINGS_KEY],
    group_name="billing",
    owners=["team:finance"],
    kinds={"python"},
    retry_policy=TRANSIENT_RETRY,
    # No webhook URL: nothing is sent and no materialization is recorded (the asset is skipped).
    output_required=False,
    description=(
        "Sends each usage and spend alert crossing (marts.fct_alert_crossings) once to "
        "METERLINE_ALERT_WEBHOOK_URL, signed with METERLINE_ALERT_WEBHOOK_SECRET, recorded in "
        "billing.push_ledger after a 2xx. Skipped (not materialized) while the URL is unset."
    ),
)
def alert_webhook(
    context: AssetExecutionContext, warehouse: WarehouseResource, webhook: AlertWebhookResource
) -> Iterator[MaterializeResult | AssetObservation]:
    with warehouse.connect() as conn:
        crossings = alerts.load_crossings(conn)
        if not webhook.is_configured:
            reason = f"{webhook.url_env} is not set: no alert sent"
            context.log.warning(f"skipped: {reason} ({len(crossings)} crossings)")
            yield AssetObservation(
                asset_key=ALERT_WEBHOOK_KEY,
                metadata={"skipped": reason, "crossings": len(crossings)},
            )
            return
        settings = webhook.settings()
        if not settings.secret:
            raise Failure(
                description=f"{webhook.secret_env} is not set: alerts are never sent unsigned",
                allow_retries=False,
            )
        ledger = PushLedger(conn, alerts.TARGET)
        result = alerts.send_alerts(crossings, settings, ledger)
    metadata = {
        "crossings": len(crossings),
        "alerts_sent": len(result.sent),
        "alerts_already_sent": result.already_sent,
        "alerts_failed": len(result.failures),
        "webhook_requests": result.requests,
        "ledger_rows_added": ledger.appended,
        "sent_crossings": MetadataValue.md(alerts.markdown_table(result.sent)),
    }
    context.log.info(
        f"sent {len(result.sent)} alerts, {result.already_sent} sent before, "
        f"{len(result.failures)} failed"
    )
    if result.failures:
        # The others are sent and recorded; these are sent on the next run.
        for crossing_id, reason in result.failures.items():
            context.log.error(f"alert {crossing_id} not delivered: {reason}")
        raise Failure(
            description=(
                f"{len(result.failures)} alerts not delivered ({len(result.sent)} others sent): "
                + "; ".join(f"{i}: {r}" for i, r in sorted(result.failures.items()))
            ),
            metadata={**metadata, "failures": MetadataValue.json(result.failures)},
            allow_retries=False,
        )
    yield MaterializeResult(metadata=metadata)
