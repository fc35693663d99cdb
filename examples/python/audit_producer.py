"""Recording audit events from a Python service with the stock OpenTelemetry SDK (no Attest package).

Each audit event is one log record sent over OTLP/HTTP (protobuf) to the Collector, with the
attributes of Attest's wire format (README, "The event on the wire"): audit.id, audit.event,
audit.category, audit.action, audit.outcome, the actor (user.id, user.email, audit.actor.type) and
optionally the target, audit.compliance and audit.changes. Python's logging levels map to the audit
severities: info -> INFO, warning -> WARNING, error -> ERROR, critical -> CRITICAL (the SDK sends WARN
and FATAL with severity numbers 13 and 21; the Collector normalises them).

Environment: ATTEST_OTLP_URL (default http://127.0.0.1:4318), ATTEST_TENANT (the Loki tenant; sent as
X-Scope-OrgID), ATTEST_SERVICE (service.name), ATTEST_RUN (a tag added to every event id, for tests).

    pip install -r requirements.txt && python audit_producer.py
"""

import json
import logging
import os
import uuid

from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.sdk.resources import Resource

OTLP_URL = os.environ.get("ATTEST_OTLP_URL", "http://127.0.0.1:4318")
TENANT = os.environ.get("ATTEST_TENANT", "acme")
SERVICE = os.environ.get("ATTEST_SERVICE", "billing-py")


def audit_logger() -> tuple[logging.Logger, LoggerProvider]:
    provider = LoggerProvider(
        resource=Resource.create({"service.name": SERVICE, "deployment.environment.name": "production"})
    )
    headers = {"X-Scope-OrgID": TENANT}
    if os.environ.get("ATTEST_PRODUCER_TOKEN"):
        headers["Authorization"] = f"Bearer {os.environ['ATTEST_PRODUCER_TOKEN']}"
    exporter = OTLPLogExporter(endpoint=f"{OTLP_URL}/v1/logs", headers=headers)
    provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
    logger = logging.getLogger("audit")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(LoggingHandler(level=logging.INFO, logger_provider=provider))
    return logger, provider


def audit(event: str, category: str, action: str, *, actor: dict, outcome: str = "success", target: dict | None = None,
          compliance: list[str] | None = None, changes: dict | None = None) -> dict:
    """The attributes of one audit event (values are strings, as on the wire)."""
    attrs = {
        "audit.id": str(uuid.uuid4()),
        "audit.event": event,
        "audit.category": category,
        "audit.action": action,
        "audit.outcome": outcome,
        "audit.actor.type": "user",
        "user.id": actor["id"],
        "user.email": actor["email"],
    }
    if target:
        attrs.update({"audit.target.type": target["type"], "audit.target.id": target["id"]})
    if compliance:
        attrs["audit.compliance"] = ",".join(compliance)
    if changes:
        attrs["audit.changes"] = json.dumps(changes)
    return attrs


def main() -> None:
    log, provider = audit_logger()
    ana = {"id": "u-py-1", "email": "ana@example.com"}
    invoice = {"type": "invoice", "id": "inv-2291"}
    log.info("Ana signed in", extra=audit("auth.login", "AUTH", "login", actor=ana))
    log.warning("Invoice approved above the approval limit",
                extra=audit("invoice.approved", "DATA_MODIFY", "approve", actor=ana, target=invoice,
                            compliance=["SOX"], changes={"before": {"status": "pending"}, "after": {"status": "approved"}}))
    log.error("Payout to an unverified account refused",
              extra=audit("payout.refused", "DATA_MODIFY", "create", actor=ana, outcome="denied", target=invoice))
    log.critical("Audit export attempted with a revoked key",
                 extra=audit("security.key.revoked_use", "SECURITY", "export", actor=ana, outcome="denied"))
    provider.shutdown()  # flushes: every record is sent before the process ends


if __name__ == "__main__":
    main()
