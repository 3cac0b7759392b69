"""HTTP metrics kept as plain numbers expose what the library's own would
(the help texts aside, which samples do not carry)."""

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from app.components.backend.metrics import HttpMetrics

# On, between and beyond the bucket bounds, the first and last included.
SECONDS = [0.0, 0.001, 0.005, 0.0051, 0.2, 0.25, 3.0, 10.0, 10.5, 42.0]


def samples(registry: CollectorRegistry) -> set[tuple[str, tuple, float]]:
    text = generate_latest(registry).decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items())), sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.name.endswith("_created")
    }


def test_counts_and_buckets_match_the_librarys_counter_and_histogram() -> None:
    ours = HttpMetrics()
    library = CollectorRegistry()
    requests = Counter(
        "sector7g_http_requests", "-", ["method", "route", "status"], registry=library
    )
    latency = Histogram(
        "sector7g_http_request_duration_seconds",
        "-",
        ["method", "route"],
        registry=library,
    )
    for n, seconds in enumerate(SECONDS):
        status = 200 if n % 3 else 503
        ours.observe("GET", "/health/", status, seconds)
        requests.labels("GET", "/health/", str(status)).inc()
        latency.labels("GET", "/health/").observe(seconds)
    ours.observe("BREW", None, 404, 0.01)
    requests.labels("other", "unmatched", "404").inc()
    latency.labels("other", "unmatched").observe(0.01)

    assert samples(ours.registry) == samples(library)
