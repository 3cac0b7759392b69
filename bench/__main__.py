"""`make bench`: every benchmark, then one table of figures against baselines."""

from bench import dashboard, http, jobs, processes, size, stack
from bench.common import print_table


def main() -> None:
    rows = [
        *jobs.measure(2000, drain_jobs=1000),
        *http.measure(http.SECONDS_PER_ROUND),
        *dashboard.measure(10, idle_s=60),
        *processes.measure(),
        *stack.measure(),
        *size.measure(),
    ]
    print_table(rows)


if __name__ == "__main__":
    main()
