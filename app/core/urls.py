"""Service URLs: Docker hostnames, passwords and unix sockets, resolved in one place.

Every consumer (webserver, scheduler, workers, CLI, migrations) gets its URLs
from the settings properties built on these functions, so a URL that works for
one process works for all of them.
"""

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:  # SQLAlchemy loads when a database URL is first built
    from sqlalchemy.engine import URL

# Hostnames that only resolve inside the Compose network. Outside a container
# they mean "the same service on this machine".
DOCKER_SERVICE_HOSTS = frozenset({"postgres", "redis", "traefik"})

# Files container runtimes create at the root of a container's filesystem.
CONTAINER_MARKERS = (Path("/.dockerenv"), Path("/run/.containerenv"))

SQLALCHEMY_DRIVERS = {"sync": "postgresql+psycopg", "async": "postgresql+asyncpg"}


def running_in_container() -> bool:
    """Whether this process runs inside a Docker or Podman container."""
    return any(marker.exists() for marker in CONTAINER_MARKERS)


def resolve_service_host(host: str | None, *, in_container: bool) -> str | None:
    """Map a Compose service hostname to localhost when not in a container."""
    if host in DOCKER_SERVICE_HOSTS and not in_container:
        return "localhost"
    return host


def database_url(
    url: str, *, driver: str, password: str | None, in_container: bool
) -> "URL":
    """The SQLAlchemy URL for `url` with the given driver ("sync" or "async").

    A unix-socket URL (`postgresql://user@/db?host=/run/postgresql`) keeps its
    empty host; the socket directory travels in the query to both drivers.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        raise ValueError(f"not a PostgreSQL URL (scheme {parsed.drivername!r})")
    parsed = parsed.set(
        drivername=SQLALCHEMY_DRIVERS[driver],
        host=resolve_service_host(parsed.host, in_container=in_container),
    )
    if password is not None:
        parsed = parsed.set(password=password)
    return parsed


def postgres_dsn(url: str, *, password: str | None, in_container: bool) -> str:
    """The DSN for `url` that asyncpg connects with directly, without SQLAlchemy.

    Any driver in the scheme (`postgresql+psycopg`) is dropped; a unix-socket
    URL keeps its empty host and its `?host=` directory, which asyncpg reads.
    """
    parts = urlsplit(url)
    if parts.scheme.partition("+")[0] not in {"postgresql", "postgres"}:
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    host = resolve_service_host(parts.hostname, in_container=in_container) or ""
    username = unquote(parts.username) if parts.username else None
    if password is None and parts.password is not None:
        password = unquote(parts.password)
    userinfo = _userinfo(username, password)
    netloc = f"{userinfo}{_bracket(host)}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(scheme="postgresql", netloc=netloc))


def redis_url(url: str, *, password: str | None, in_container: bool) -> str:
    """The Redis DSN for `url`, for redis-py and arq alike.

    A unix-socket DSN always names its database (`?db=0`): arq otherwise reads
    the socket path as a database number.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"redis", "rediss", "unix"}:
        raise ValueError(f"not a Redis URL (scheme {parts.scheme!r})")
    if parts.scheme == "unix":
        query = dict(parse_qsl(parts.query))
        query.setdefault("db", "0")
        if password is not None:
            query["password"] = password
        # Built by hand: urlunsplit drops the empty authority ("unix:/path").
        return f"unix://{parts.path}?{urlencode(query)}"
    host = resolve_service_host(parts.hostname, in_container=in_container) or ""
    userinfo = _userinfo(parts.username, password or parts.password)
    netloc = f"{userinfo}{_bracket(host)}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def http_url(url: str, *, in_container: bool) -> str:
    """An HTTP URL (such as Traefik's API) with its host resolved."""
    parts = urlsplit(url)
    host = resolve_service_host(parts.hostname, in_container=in_container) or ""
    netloc = _bracket(host) + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def redact_url(url: str) -> str:
    """`url` with any password replaced by `***`, safe to log or display."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{hostport}"
    query = [
        (key, "***" if key == "password" else value)
        for key, value in parse_qsl(parts.query)
    ]
    return urlunsplit(parts._replace(netloc=netloc, query=urlencode(query)))


def _userinfo(username: str | None, password: str | None) -> str:
    if password is None:
        return f"{quote(username, safe='')}@" if username else ""
    return f"{quote(username or '', safe='')}:{quote(password, safe='')}@"


def _bracket(host: str) -> str:
    return f"[{host}]" if ":" in host else host
