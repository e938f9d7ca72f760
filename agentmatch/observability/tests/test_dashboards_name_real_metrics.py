"""The example alert rules and the Grafana dashboard in docs/ name only metrics that a real
/metrics answer exposes, and docs/observability.md explains every one of them."""

import json
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db

DOCS = Path(settings.BASE_DIR) / "docs"
METRIC = re.compile(r"\bagentmatch_[a-z0-9_]+\b")
# Series Prometheus makes itself for every scrape target.
PROMETHEUS_OWN = {"up"}


def exposed() -> tuple[set[str], set[str]]:
    """(metric families, every sample name a query may use) from a real scrape."""
    response = Client().get("/metrics")
    assert response.status_code == 200
    families, names = set(), set()
    for family in text_string_to_metric_families(response.content.decode()):
        families.add(family.name)
        names.add(family.name)
        if family.type == "histogram":
            names |= {f"{family.name}_bucket", f"{family.name}_count", f"{family.name}_sum"}
    return families, names


def alert_expressions() -> list[str]:
    rules = yaml.safe_load((DOCS / "prometheus-alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]


@pytest.mark.parametrize("source", [alert_expressions, dashboard_expressions])
def test_every_query_names_only_exposed_metrics(source):
    _, names = exposed()
    expressions = source()
    assert expressions
    for expr in expressions:
        used = set(METRIC.findall(expr))
        assert used or any(re.search(rf"\b{own}\b", expr) for own in PROMETHEUS_OWN), expr
        assert used <= names, f"{expr!r} names {sorted(used - names)}, not in /metrics"


def test_the_checker_would_catch_a_misspelt_metric():
    _, names = exposed()
    assert not set(METRIC.findall("agentmatch_oldest_wait_seconds > 60")) <= names


def test_every_exposed_metric_is_explained_in_the_observability_doc():
    families, _ = exposed()
    doc = (DOCS / "observability.md").read_text()
    assert sorted(f for f in families if f"`{f}`" not in doc) == []
