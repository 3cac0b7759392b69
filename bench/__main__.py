"""`make bench`: every benchmark, then one table of figures against baselines."""

from bench import dashboard, health, jobs, stack
from bench.common import print_table


def main() -> None:
    rows = [
        *jobs.measure(2000),
        *health.measure(5000),
        *dashboard.measure(10),
        *stack.measure(),
    ]
    print()
    print_table(rows)


if __name__ == "__main__":
    main()
