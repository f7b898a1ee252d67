"""Retry policy for steps that can fail for transient reasons (a locked warehouse file, a
network error talking to Stripe). Every retried step is safe to repeat: dbt rebuilds, the
freeze appends only what is missing, and the pushes consult the ledger first."""

from __future__ import annotations

import os

from dagster import Backoff, Jitter, RetryPolicy

TRANSIENT_RETRY = RetryPolicy(
    max_retries=int(os.environ.get("METERLINE_RETRY_MAX", "3")),
    delay=float(os.environ.get("METERLINE_RETRY_DELAY_SECONDS", "30")),
    backoff=Backoff.EXPONENTIAL,
    jitter=Jitter.PLUS_MINUS,
)
