"""Prometheus metrics: HTTP traffic counted as it happens, the rest per scrape.

Request counts and latencies live in a registry of this app (not the library's
global one), filled by the request middleware. Queue depths, job counters and
component health are read from the (cached) health tree when /metrics is
scraped.
"""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from app.services.health.service import HealthReport

# Routes are labelled by their template (/api/v1/tasks/{job_id}), so that
# labels stay few; requests that matched no route share one label.
UNMATCHED = "unmatched"
# Methods are labelled as they are only if they are standard: a client's
# invented method must not add a series (nor grow memory) per request.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"


class HttpMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "sector7g_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "sector7g_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            registry=self.registry,
        )

        # The labelled series, by (method, route, status): looking them up
        # through the library takes a lock and most of an observation's time.
        self._series: dict[tuple[str, str | None, int], tuple[Counter, Histogram]] = {}

    def observe(
        self, method: str, route: str | None, status: int, seconds: float
    ) -> None:
        if method not in METHODS:
            method = OTHER_METHOD
        key = (method, route, status)
        series = self._series.get(key)
        if series is None:
            template = route or UNMATCHED
            series = self._series[key] = (
                self.requests.labels(method, template, str(status)),
                self.latency.labels(method, template),
            )
        requests, latency = series
        requests.inc()
        latency.observe(seconds)


def exposition(http: HttpMetrics, report: HealthReport) -> bytes:
    """Everything /metrics shows, in Prometheus' text format."""
    scrape = CollectorRegistry()
    scrape.register(_HealthCollector(report))
    return generate_latest(http.registry) + generate_latest(scrape)


class _HealthCollector:
    def __init__(self, report: HealthReport) -> None:
        self.report = report

    def collect(self):
        root = self.report.root
        up = GaugeMetricFamily(
            "sector7g_up", "1 unless the system is unhealthy (warnings count as up)."
        )
        up.add_metric([], 1 if self.report.healthy else 0)
        yield up
        status = GaugeMetricFamily(
            "sector7g_component_status",
            "Health of each component: 0 healthy, 1 info, 2 warning, 3 unhealthy.",
            labels=["component"],
        )
        for name, component in root.components.items():
            status.add_metric([name], component.status.code)
        yield status
        yield from self._queues(root.components.get("worker"))

    def _queues(self, worker):
        if worker is None:
            return
        gauges = {
            "queued": GaugeMetricFamily(
                "sector7g_queue_depth", "Jobs waiting in a queue.", labels=["queue"]
            ),
            "running": GaugeMetricFamily(
                "sector7g_queue_running", "Jobs running on a queue.", labels=["queue"]
            ),
            "workers_alive": GaugeMetricFamily(
                "sector7g_queue_workers", "Live workers of a queue.", labels=["queue"]
            ),
        }
        jobs = CounterMetricFamily(
            "sector7g_queue_jobs",
            "Job outcomes on a queue since its counters began.",
            labels=["queue", "outcome"],
        )
        for queue, component in worker.components.items():
            facts = component.metadata
            for key, gauge in gauges.items():
                gauge.add_metric([queue], facts.get(key, 0))
            for outcome in ("completed", "failed", "retried", "cancelled"):
                jobs.add_metric([queue, outcome], facts.get(outcome, 0))
        yield from gauges.values()
        yield jobs
