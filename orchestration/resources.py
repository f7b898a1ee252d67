"""Dagster resources: the warehouse connection, Stripe settings and the exports directory.

Everything is configured from the environment with the project's defaults:

    METERLINE_DUCKDB_PATH        warehouse file (default warehouse/meterline.duckdb)
    STRIPE_API_KEY               Stripe secret key; unset: the Stripe push is skipped
    METERLINE_STRIPE_API_BASE    Stripe API base URL (default https://api.stripe.com)
    METERLINE_STRIPE_MAX_NETWORK_RETRIES   SDK retries per request (default 2)
    METERLINE_EXPORTS_DIR        invoice export directory (default exports)
    METERLINE_EXPORTS_FILE_MODE  mode of the export files, octal (default 0640: group-readable)
    METERLINE_STATEMENTS_DIR     usage statement directory (default exports/statements)
    METERLINE_ALERT_WEBHOOK_URL     where usage and spend alerts are POSTed; unset: none sent
    METERLINE_ALERT_WEBHOOK_SECRET  shared secret the alerts are signed with (HMAC-SHA256)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import stripe
from dagster import ConfigurableResource

from orchestration.billing.alerts import WebhookSettings
from orchestration.billing.files import DEFAULT_FILE_MODE, parse_file_mode
from orchestration.billing.stripe_client import DEFAULT_API_BASE, make_client

DEFAULT_DUCKDB_PATH = "warehouse/meterline.duckdb"
DEFAULT_EXPORTS_DIR = "exports"
DEFAULT_STATEMENTS_DIR = "exports/statements"


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse; a connection is opened per use and closed right after, so the file
    is never held while dbt (a separate process) writes to it."""

    database_path: str = DEFAULT_DUCKDB_PATH

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database_path).parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(self.database_path)
        try:
            conn.execute("set TimeZone = 'UTC'")
            yield conn
        finally:
            conn.close()


class StripeResource(ConfigurableResource):
    """Stripe settings. The secret key is read from the environment variable named by
    `api_key_env` at run time, so it never appears in run config or the UI; `api_key` overrides
    it (tests)."""

    api_key_env: str = "STRIPE_API_KEY"
    api_key: str = ""
    api_base: str = DEFAULT_API_BASE
    max_network_retries: int = 2
    # auto_advance when finalizing: Stripe then collects payment on its own.
    collect_automatically: bool = True

    def secret_key(self) -> str:
        return self.api_key or os.environ.get(self.api_key_env, "")

    @property
    def is_configured(self) -> bool:
        return bool(self.secret_key())

    def client(self) -> stripe.StripeClient:
        return make_client(self.secret_key(), self.api_base, self.max_network_retries)


class ExportsResource(ConfigurableResource):
    directory: str = DEFAULT_EXPORTS_DIR
    # Octal mode of every export file, set explicitly (the umask does not apply).
    file_mode: str = f"{DEFAULT_FILE_MODE:04o}"

    @property
    def path(self) -> Path:
        return Path(self.directory)

    @property
    def mode(self) -> int:
        return parse_file_mode(self.file_mode)


class StatementsResource(ExportsResource):
    """Where the usage statements go (HTML and PDF), with the export files' mode."""

    directory: str = DEFAULT_STATEMENTS_DIR
    # False: HTML only (no browser started)
    pdf: bool = True
class AlertWebhookResource(ConfigurableResource):
    """The alert webhook. URL and secret are read from the environment variables named by
    `url_env` and `secret_env` at run time, so the secret never appears in run config or the UI;
    `url` and `secret` override them (tests)."""

    url_env: str = "METERLINE_ALERT_WEBHOOK_URL"
    secret_env: str = "METERLINE_ALERT_WEBHOOK_SECRET"
    url: str = ""
    secret: str = ""
    timeout_seconds: float = 10.0
    max_attempts: int = 4
    backoff_seconds: float = 1.0

    def webhook_url(self) -> str:
        return self.url or os.environ.get(self.url_env, "")

    @property
    def is_configured(self) -> bool:
        return bool(self.webhook_url())

    def settings(self) -> WebhookSettings:
        return WebhookSettings(
            url=self.webhook_url(),
            secret=self.secret or os.environ.get(self.secret_env, ""),
            timeout_seconds=self.timeout_seconds,
            max_attempts=self.max_attempts,
            backoff_seconds=self.backoff_seconds,
        )


def warehouse_from_env() -> WarehouseResource:
    return WarehouseResource(
        database_path=os.environ.get("METERLINE_DUCKDB_PATH") or DEFAULT_DUCKDB_PATH
    )


def stripe_from_env() -> StripeResource:
    return StripeResource(
        api_base=os.environ.get("METERLINE_STRIPE_API_BASE") or DEFAULT_API_BASE,
        max_network_retries=int(os.environ.get("METERLINE_STRIPE_MAX_NETWORK_RETRIES", "2")),
    )


def exports_from_env() -> ExportsResource:
    return ExportsResource(
        directory=os.environ.get("METERLINE_EXPORTS_DIR") or DEFAULT_EXPORTS_DIR,
        file_mode=os.environ.get("METERLINE_EXPORTS_FILE_MODE") or f"{DEFAULT_FILE_MODE:04o}",
    )



def statements_from_env() -> StatementsResource:
    return StatementsResource(
        directory=os.environ.get("METERLINE_STATEMENTS_DIR") or DEFAULT_STATEMENTS_DIR,
        file_mode=os.environ.get("METERLINE_EXPORTS_FILE_MODE") or f"{DEFAULT_FILE_MODE:04o}",
    )
def alert_webhook_from_env() -> AlertWebhookResource:
    """URL and secret are read when the asset runs (AlertWebhookResource)."""
    return AlertWebhookResource()
