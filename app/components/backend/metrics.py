"""Prometheus metrics: HTTP traffic counted as it happens, the rest per scrape.

Request counts and latencies live in a registry of this app (not the library's
global one), filled by the request middleware. Queue depths, job counters and
component health are read from the (cached) health tree when /metrics is
scraped.
"""

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate

from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.utils import floatToGoString

from app.services.health.service import HealthReport

# Routes are labelled by their template (/api/v1/tasks/{job_id}), so that
# labels stay few; requests that matched no route share one label.
UNMATCHED = "unmatched"
# Methods are labelled as they are only if they are standard: a client's
# invented method must not add a series (nor grow memory) per request.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"
# Upper bounds of the latency buckets, in seconds: the library's defaults,
# the last one infinite.
BUCKETS = Histogram.DEFAULT_BUCKETS
_BUCKET_LABELS = [floatToGoString(bound) for bound in BUCKETS]


class _Latencies:
    """One series of the latency histogram: requests per bucket, and the sum."""

    __slots__ = ("counts", "total_s")

    def __init__(self) -> None:
        self.counts = [0] * len(BUCKETS)
        self.total_s = 0.0


class HttpMetrics:
    """Requests answered and their latencies, by method, route and status.

    Kept as plain numbers and turned into metric families when /metrics is
    scraped (a custom collector, as the library documents them): its
    Counter and Histogram take a lock for every increment, three per
    request, 6% of /health/live's time in-process. No lock is needed: the
    request middleware observes on the event loop's thread, and scrapes are
    served there too.
    """

    def __init__(self) -> None:
        self._requests: dict[tuple[str, str, int], int] = {}
        self._latencies: dict[tuple[str, str], _Latencies] = {}
        self.registry = CollectorRegistry()
        self.registry.register(self)

    def observe(
        self, method: str, route: str | None, status: int, seconds: float
    ) -> None:
        if method not in METHODS:
            method = OTHER_METHOD
        route = route or UNMATCHED
        key = (method, route, status)
        self._requests[key] = self._requests.get(key, 0) + 1
        latencies = self._latencies.get((method, route))
        if latencies is None:
            latencies = self._latencies[(method, route)] = _Latencies()
        # The first bucket whose bound is at least `seconds` ("le").
        latencies.counts[bisect_left(BUCKETS, seconds)] += 1
        latencies.total_s += seconds

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "sector7g_http_requests",
            "HTTP requests answered, by method, route template and status.",
            labels=["method", "route", "status"],
        )
        for (method, route, status), count in self._requests.items():
            requests.add_metric([method, route, str(status)], count)
        yield requests
        latency = HistogramMetricFamily(
            "sector7g_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            labels=["method", "route"],
        )
        for (method, route), latencies in self._latencies.items():
            cumulative = accumulate(latencies.counts)
            latency.add_metric(
                [method, route],
                buckets=list(zip(_BUCKET_LABELS, cumulative, strict=True)),
                sum_value=latencies.total_s,
            )
        yield latency


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
