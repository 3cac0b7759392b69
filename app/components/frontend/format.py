"""Numbers and times as people read them."""

from datetime import UTC, datetime


def relative(moment: datetime | str | None, now: datetime | None = None) -> str:
    """ "in 5 min", "2 h ago", "just now"."""
    if moment is None:
        return "-"
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    seconds = ((now or datetime.now(UTC)) - moment).total_seconds()
    ahead = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now" if not ahead else "in a moment"
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            amount = round(seconds / size)
            return f"in {amount} {unit}" if ahead else f"{amount} {unit} ago"
    return "-"


def size(count: float | None) -> str:
    if count is None:
        return "-"
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(count) < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TiB"


def percent(share: float | None) -> str:
    return "-" if share is None else f"{share:.0f}%"


def duration_ms(milliseconds: float | None) -> str:
    if milliseconds is None:
        return "-"
    if milliseconds < 1000:
        return f"{milliseconds:.0f} ms"
    return f"{milliseconds / 1000:.1f} s"


def eta(seconds: float | None) -> str:
    """How long a backlog takes to drain: "-" when it does not drain."""
    if seconds is None:
        return "-"
    return "done" if seconds == 0 else span(seconds)


def timestamp(moment: datetime | None) -> str:
    """UTC, with the date only when it is not today."""
    if moment is None:
        return "-"
    moment = moment.astimezone(UTC)
    today = datetime.now(UTC).date()
    return moment.strftime("%H:%M:%S" if moment.date() == today else "%Y-%m-%d %H:%M")


def span(seconds: float | None) -> str:
    """A length of time: "42 s", "17 min", "5.2 h", "3.0 d"."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"
