"""A minimal, stateful, Stripe-compatible HTTP server for tests.

It implements exactly the endpoints the Meterline push uses, with Stripe's documented semantics:

    POST /v1/invoiceitems                  create (form-encoded, metadata[...] keys)
    GET  /v1/invoiceitems                  list, filtered by customer / invoice / pending
    POST /v1/invoices                      create a draft (pending_invoice_items_behavior)
    GET  /v1/invoices                      list, filtered by customer / status
    GET  /v1/invoices/{id}                 retrieve
    POST /v1/invoices/{id}/finalize        draft -> open (paid when nothing is due)

Lists are newest first with `limit` / `starting_after` pagination. A POST with an Idempotency-Key
seen before replays the first response (header `Idempotent-Replayed: true`), a 500 included, as
Stripe does once execution began; the same key with other parameters is an `idempotency_error`.
`inject_failure` makes the request after N successful invoice-item creations fail: `error_500`
answers 500 without acting, `drop_after_commit` acts and then closes the connection without
answering (the response is lost, as in a crash). `stick_invoice` makes every POST for one Meterline
invoice (its invoice, its items, its finalize) answer 500 until `unstick_invoice`, each 500 saved
against the request's idempotency key like Stripe saves it.

Amounts in Stripe's three-decimal currencies (BHD, JOD, KWD, OMR, TND) must end in 0, as Stripe
requires: an invoice item with another amount is refused (400).

The server listens on 127.0.0.1 on a free port, serves each request in a daemon thread (at most
`max_threads` at once) and handles requests one at a time under a lock.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

API_KEY = "sk_test_meterline_fake"
THREE_DECIMAL_CURRENCIES = frozenset({"bhd", "jod", "kwd", "omr", "tnd"})


class StripeError(Exception):
    def __init__(self, status: int, error_type: str, message: str, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": error_type, "message": message, "code": code}}


def _invalid(message: str, code: str | None = None) -> StripeError:
    return StripeError(400, "invalid_request_error", message, code)


def _missing(kind: str, object_id: str) -> StripeError:
    return StripeError(404, "invalid_request_error", f"No such {kind}: '{object_id}'",
                       "resource_missing")


def decode_form(text: str) -> dict[str, Any]:
    """Stripe form encoding: `a=1&metadata[k]=v&b[c][d]=x` -> nested dicts."""
    result: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        parts = re.findall(r"[^\[\]]+", key)
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


@dataclass
class Failure:
    after_items: int
    mode: str  # "error_500" | "drop_after_commit"


@dataclass
class FakeStripeState:
    invoice_items: dict[str, dict[str, Any]] = field(default_factory=dict)
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotency: dict[str, tuple[str, int, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    items_created: int = 0
    failure: Failure | None = None
    stuck_invoices: set[str] = field(default_factory=set)
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self.ids):06d}"

    # -- rendering --------------------------------------------------------------------------

    def render_invoice(self, invoice: dict[str, Any]) -> dict[str, Any]:
        items = [i for i in self.invoice_items.values() if i["invoice"] == invoice["id"]]
        total = sum(item["amount"] for item in items)
        paid = invoice["status"] == "paid"
        return {
            **invoice,
            "subtotal": total,
            "total": total,
            "amount_due": total,
            "amount_paid": total if paid else 0,
            "amount_remaining": 0 if paid else total,
            "lines": {
                "object": "list",
                "url": f"/v1/invoices/{invoice['id']}/lines",
                "has_more": False,
                "data": [
                    {"object": "line_item", "id": f"il_{item['id']}", "amount": item["amount"],
                     "currency": item["currency"], "description": item["description"],
                     "metadata": item["metadata"]}
                    for item in items
                ],
            },
        }

    @staticmethod
    def page(objects: list[dict[str, Any]], query: dict[str, Any], url: str) -> dict[str, Any]:
        ordered = sorted(objects, key=lambda o: o["_seq"], reverse=True)
        if "starting_after" in query:
            ids = [o["id"] for o in ordered]
            if query["starting_after"] not in ids:
                raise _missing("object", query["starting_after"])
            ordered = ordered[ids.index(query["starting_after"]) + 1:]
        limit = int(query.get("limit", 10))
        if not 1 <= limit <= 100:
            raise _invalid("limit must be between 1 and 100")
        data = ordered[:limit]
        return {"object": "list", "url": url, "has_more": len(ordered) > limit, "data": data}

    # -- endpoints --------------------------------------------------------------------------

    def create_invoice_item(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = params.get("customer")
        if not customer:
            raise _invalid("Missing required param: customer.")
        if "amount" not in params or "currency" not in params:
            raise _invalid("Missing required param: amount and currency.")
        try:
            amount = int(params["amount"])
        except ValueError as error:
            raise _invalid(f"Invalid integer: {params['amount']}") from error
        invoice_id = params.get("invoice")
        currency = params["currency"]
        if currency != currency.lower() or len(currency) != 3:
            raise _invalid(f"Invalid currency: {currency}")
        if currency in THREE_DECIMAL_CURRENCIES and amount % 10:
            raise _invalid(
                f"Invalid amount {amount} for {currency}: amounts in three-decimal currencies "
                "must have 0 as their last digit.",
                "amount_invalid",
            )
        if invoice_id:
            invoice = self.invoices.get(invoice_id)
            if invoice is None:
                raise _missing("invoice", invoice_id)
            if invoice["status"] != "draft":
                raise _invalid("You can only add invoice items to draft invoices.")
            if invoice["customer"] != customer or invoice["currency"] != currency:
                raise _invalid("The invoice item must match the invoice's customer and currency.")
        item = {
            "id": self.new_id("ii"),
            "object": "invoiceitem",
            "amount": amount,
            "currency": currency,
            "customer": customer,
            "date": int(time.time()),
            "description": params.get("description"),
            "invoice": invoice_id or None,
            "livemode": False,
            "metadata": params.get("metadata", {}),
            "quantity": 1,
            "_seq": len(self.invoice_items) + len(self.invoices),
        }
        self.invoice_items[item["id"]] = item
        self.items_created += 1
        return item

    def create_invoice(self, params: dict[str, Any]) -> dict[str, Any]:
        customer = params.get("customer")
        if not customer:
            raise _invalid("Missing required param: customer.")
        currency = params.get("currency", "usd")
        behavior = params.get("pending_invoice_items_behavior", "exclude")
        if behavior not in ("exclude", "include"):
            raise _invalid(f"Invalid pending_invoice_items_behavior: {behavior}")
        invoice = {
            "id": self.new_id("in"),
            "object": "invoice",
            "customer": customer,
            "currency": currency,
            "status": "draft",
            "auto_advance": params.get("auto_advance", "true") == "true",
            "collection_method": params.get("collection_method", "charge_automatically"),
            "description": params.get("description"),
            "metadata": params.get("metadata", {}),
            "number": None,
            "livemode": False,
            "created": int(time.time()),
            "_seq": len(self.invoice_items) + len(self.invoices),
        }
        self.invoices[invoice["id"]] = invoice
        if behavior == "include":
            for item in self.invoice_items.values():
                if (item["customer"], item["currency"], item["invoice"]) == (
                    customer, currency, None
                ):
                    item["invoice"] = invoice["id"]
        return self.render_invoice(invoice)

    def finalize_invoice(self, invoice_id: str, params: dict[str, Any]) -> dict[str, Any]:
        invoice = self.invoices.get(invoice_id)
        if invoice is None:
            raise _missing("invoice", invoice_id)
        if invoice["status"] != "draft":
            raise _invalid(
                "This invoice is already finalized, you can't re-finalize a non-draft invoice.",
                "invoice_unexpected_status",
            )
        if "auto_advance" in params:
            invoice["auto_advance"] = params["auto_advance"] == "true"
        rendered = self.render_invoice(invoice)
        invoice["status"] = "paid" if rendered["amount_due"] == 0 else "open"
        numbered = sum(1 for i in self.invoices.values() if i["number"])
        invoice["number"] = f"FAKE-{numbered + 1:04d}"
        return self.render_invoice(invoice)

    def list_invoice_items(self, query: dict[str, Any]) -> dict[str, Any]:
        items = list(self.invoice_items.values())
        if "customer" in query:
            items = [i for i in items if i["customer"] == query["customer"]]
        if "invoice" in query:
            items = [i for i in items if i["invoice"] == query["invoice"]]
        if "pending" in query:
            pending = query["pending"] == "true"
            items = [i for i in items if (i["invoice"] is None) == pending]
        return self.page(items, query, "/v1/invoiceitems")

    def list_invoices(self, query: dict[str, Any]) -> dict[str, Any]:
        invoices = list(self.invoices.values())
        if "customer" in query:
            invoices = [i for i in invoices if i["customer"] == query["customer"]]
        if "status" in query:
            invoices = [i for i in invoices if i["status"] == query["status"]]
        listing = self.page(invoices, query, "/v1/invoices")
        listing["data"] = [self.render_invoice(i) for i in listing["data"]]
        return listing


def _public(value: Any) -> Any:
    """Drop the server's private keys (leading underscore) from a response body."""
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


class _Handler(BaseHTTPRequestHandler):
    server: FakeStripeServer
    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        params = decode_form(body if method == "POST" else url.query)
        key = self.headers.get("Idempotency-Key") if method == "POST" else None
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            self._send(401, {"error": {"type": "invalid_request_error",
                                       "message": "Invalid API Key provided"}})
            return
        with self.server.lock:
            outcome = self.server.dispatch(method, url.path, params, key)
        if outcome is None:
            self.close_connection = True  # drop: the client never gets an answer
            return
        status, payload, replayed = outcome
        self._send(status, payload, replayed)

    def _send(self, status: int, payload: dict[str, Any], replayed: bool = False) -> None:
        data = json.dumps(_public(payload)).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Request-Id", f"req_fake{time.monotonic_ns()}")
        if replayed:
            self.send_header("Idempotent-Replayed", "true")
        self.end_headers()
        self.wfile.write(data)


class FakeStripeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, max_threads: int = 8) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = FakeStripeState()
        self.lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_threads)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    # Bounded threads: a request waits for a free slot before it gets a thread.
    def process_request(self, request: Any, client_address: Any) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.serve_forever, name="fake-stripe",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def stick_invoice(self, meterline_invoice_id: str) -> None:
        """Answer 500 to every POST for this Meterline invoice from now on (Stripe-side fault)."""
        self.state.stuck_invoices.add(meterline_invoice_id)

    def unstick_invoice(self, meterline_invoice_id: str) -> None:
        self.state.stuck_invoices.discard(meterline_invoice_id)

    def _meterline_invoice_of(self, path: str, params: dict[str, Any]) -> str | None:
        """The Meterline invoice a POST is for: its metadata, or the finalized invoice's."""
        metadata = params.get("metadata")
        if isinstance(metadata, dict) and "meterline_invoice_id" in metadata:
            return str(metadata["meterline_invoice_id"])
        match = re.fullmatch(r"/v1/invoices/([^/]+)/finalize", path)
        if match and match.group(1) in self.state.invoices:
            return self.state.invoices[match.group(1)]["metadata"].get("meterline_invoice_id")
        return None

    def inject_failure(self, after_items: int, mode: str = "error_500") -> None:
        """Fail the invoice-item creation that follows `after_items` more successful ones."""
        if mode not in ("error_500", "drop_after_commit"):
            raise ValueError(mode)
        self.state.failure = Failure(self.state.items_created + after_items, mode)

    # -- routing ------------------------------------------------------------------------------

    def dispatch(
        self, method: str, path: str, params: dict[str, Any], key: str | None
    ) -> tuple[int, dict[str, Any], bool] | None:
        state = self.state
        state.requests.append((method, path, key))
        fingerprint = json.dumps([method, path, params], sort_keys=True)
        if key is not None and key in state.idempotency:
            first_fingerprint, status, payload = state.idempotency[key]
            if first_fingerprint != fingerprint:
                error = StripeError(
                    400, "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with.",
                )
                return error.status, error.body, False
            return status, payload, True

        if method == "POST" and self._meterline_invoice_of(path, params) in state.stuck_invoices:
            error = StripeError(500, "api_error", "Stuck invoice (fake Stripe).")
            if key is not None:  # Stripe saves the 500: a retry with this key replays it
                state.idempotency[key] = (fingerprint, error.status, error.body)
            return error.status, error.body, False

        failure = state.failure
        is_item_create = (method, path) == ("POST", "/v1/invoiceitems")
        if is_item_create and failure is not None and state.items_created >= failure.after_items:
            state.failure = None
            if failure.mode == "error_500":
                error = StripeError(500, "api_error", "Injected failure (fake Stripe).")
                return error.status, error.body, False
            self._execute(method, path, params, key, fingerprint)
            return None

        return (*self._execute(method, path, params, key, fingerprint), False)

    def _execute(
        self, method: str, path: str, params: dict[str, Any], key: str | None, fingerprint: str
    ) -> tuple[int, dict[str, Any]]:
        try:
            status, payload = 200, self._route(method, path, params)
        except StripeError as error:
            status, payload = error.status, error.body
        if key is not None and method == "POST" and status < 500:
            snapshot = json.loads(json.dumps(_public(payload)))
            self.state.idempotency[key] = (fingerprint, status, snapshot)
        return status, payload

    def _route(self, method: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
        state = self.state
        if path == "/v1/invoiceitems":
            if method == "POST":
                return state.create_invoice_item(params)
            return state.list_invoice_items(params)
        if path == "/v1/invoices":
            if method == "POST":
                return state.create_invoice(params)
            return state.list_invoices(params)
        match = re.fullmatch(r"/v1/invoices/([^/]+)(/finalize)?", path)
        if match:
            invoice_id, finalize = match.groups()
            if finalize and method == "POST":
                return state.finalize_invoice(invoice_id, params)
            if not finalize and method == "GET":
                if invoice_id not in state.invoices:
                    raise _missing("invoice", invoice_id)
                return state.render_invoice(state.invoices[invoice_id])
        raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({path}).")


@contextmanager
def running_fake_stripe() -> Iterator[FakeStripeServer]:
    server = FakeStripeServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
