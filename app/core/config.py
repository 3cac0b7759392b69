"""Settings: one object, read from the environment, `.env` and secret files.

Every setting, its default and its meaning lives here; `sector-7g config show`
and the README's table are generated from these fields.

The fields are a plain dataclass and each value is converted by msgspec: every
process reads its settings, and pydantic would cost each of them about 10 MiB
and 75 ms of start-up (bench.processes); only the webserver needs it.
"""

import os
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec
from msgspec import Meta

from app.core import urls
from app.core.topology import load_topology

if TYPE_CHECKING:  # SQLAlchemy loads when a database URL is first built
    from sqlalchemy.engine import URL

# Good enough to run on a laptop, refused when APP_ENV=prod.
DEFAULT_SECRET_KEY = "sector-7g-development-key-not-for-production-use"
MIN_SECRET_KEY_LENGTH = 32

# Settings that may come from a file: `NAME_FILE=/path`, or a systemd credential
# named after the setting in lower case (`LoadCredential=secret_key:/path`).
SECRET_SETTINGS = (
    "SECRET_KEY",
    "DATABASE_PASSWORD",
    "REDIS_PASSWORD",
    "DOCS_PASSWORD",
    "METRICS_TOKEN",
)

# "warning,unhealthy" percentages, e.g. 85,95.
Thresholds = tuple[float, float]
# The settings of that shape.
THRESHOLD_SETTINGS = (
    "HEALTH_CPU_PERCENT",
    "HEALTH_MEMORY_PERCENT",
    "HEALTH_DISK_PERCENT",
    "HEALTH_QUEUE_FAILURE_PERCENT",
)
# Settings written as comma-separated text, never as JSON.
COMMA_SEPARATED = ("CORS_ORIGINS", *THRESHOLD_SETTINGS)


class SettingsError(Exception):
    """The configuration cannot run; the message is one line naming the setting."""


class Secret:
    """A secret value that never shows in a repr, a log line or a traceback."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def setting(
    default: Any = MISSING,
    *,
    description: str,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """A setting's default and the meaning shown by `config show` and the README."""
    metadata = {"description": description}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


Port = Annotated[int, Meta(ge=1, le=65535)]
Positive = Annotated[int, Meta(ge=1)]
PositiveFloat = Annotated[float, Meta(gt=0)]
NonNegativeFloat = Annotated[float, Meta(ge=0)]


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Build with `load_settings`, which converts and checks every value."""

    APP_ENV: Literal["dev", "prod"] = setting(
        "dev", description="`dev` or `prod`; prod enforces a real SECRET_KEY."
    )
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = setting(
        "INFO", description="Minimum level of log lines."
    )
    LOG_FORMAT: Literal["auto", "console", "json"] = setting(
        "auto", description="`auto` is JSON in prod and console in dev."
    )
    IN_CONTAINER: bool | None = setting(
        None,
        description="Whether Compose hostnames (postgres, redis, traefik) resolve; "
        "unset detects a container.",
    )

    HOST: str = setting("127.0.0.1", description="Address the webserver binds.")
    PORT: Port = setting(
        factory=lambda: load_topology().webserver.port,
        description="Port the webserver binds (default from the process table).",
    )
    FORWARDED_ALLOW_IPS: str = setting(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For is trusted (comma-separated).",
    )
    CORS_ORIGINS: list[str] = setting(
        factory=list,
        description="Origins allowed to call the API from a browser (comma-separated).",
    )

    DATABASE_URL: str = setting(
        "postgresql://sector7g@localhost:5432/sector7g",
        description="PostgreSQL URL; a socket directory goes in `?host=`.",
    )
    DATABASE_PASSWORD: Secret | None = setting(
        None, description="Password for DATABASE_URL's user (secret)."
    )
    DATABASE_POOL_SIZE: Positive = setting(
        10,
        description="Connections each process keeps open (as many again may "
        "open under load).",
    )

    REDIS_URL: str = setting(
        "redis://localhost:6379/0",
        description="Redis URL: `redis://host:port/db` or "
        "`unix:///path/redis.sock?db=0`.",
    )
    REDIS_PASSWORD: Secret | None = setting(
        None, description="Password for REDIS_URL (secret)."
    )

    SECRET_KEY: Secret = setting(
        Secret(DEFAULT_SECRET_KEY),
        description="Key that signs access tokens (secret; required in prod).",
    )
    JWT_ALGORITHM: Literal["HS256", "HS384", "HS512"] = setting(
        "HS256", description="Signature algorithm of access tokens."
    )
    JWT_ISSUER: str = setting("sector-7g", description="`iss` claim of access tokens.")
    JWT_AUDIENCE: str = setting(
        "sector-7g", description="`aud` claim of access tokens."
    )
    ACCESS_TOKEN_EXPIRE_MINUTES: Positive = setting(
        60, description="Lifetime of an access token."
    )
    AUTH_REGISTRATION_ENABLED: bool | None = setting(
        None,
        description="Whether anyone may register; unset means on in dev, off in prod.",
    )
    LOGIN_RATE_LIMIT_PER_ADDRESS: str = setting(
        "30/minute", description="Login attempts allowed from one client address."
    )
    LOGIN_RATE_LIMIT_PER_ACCOUNT: str = setting(
        "5/15 minutes", description="Failed logins allowed for one account."
    )

    DOCS_USERNAME: str = setting("docs", description="User name for /docs.")
    DOCS_PASSWORD: Secret | None = setting(
        None,
        description="Password for /docs (secret); without it the docs are open "
        "in dev and off in prod.",
    )

    HEALTH_CHECK_TIMEOUT_SECONDS: PositiveFloat = setting(
        1.5, description="Time limit of each dependency check."
    )
    HEALTH_CACHE_SECONDS: NonNegativeFloat = setting(
        5.0, description="How long a computed health tree is served again."
    )
    HEALTH_CPU_PERCENT: Thresholds = setting(
        (85.0, 95.0),
        description="CPU use that makes the server warning, unhealthy.",
    )
    HEALTH_MEMORY_PERCENT: Thresholds = setting(
        (85.0, 95.0),
        description="Memory use that makes the server warning, unhealthy.",
    )
    HEALTH_DISK_PERCENT: Thresholds = setting(
        (85.0, 95.0),
        description="Disk use that makes the server warning, unhealthy.",
    )
    HEALTH_QUEUE_FAILURE_PERCENT: Thresholds = setting(
        (10.0, 50.0),
        description="Share of failed jobs that makes a queue warning, unhealthy.",
    )
    HEALTH_FAILURE_WINDOW_MINUTES: Positive = setting(
        15, description="The recent past over which failure shares are computed."
    )
    TRAEFIK_API_URL: str | None = setting(
        None,
        description="Traefik's API (e.g. http://traefik:8080), checked by /health/; "
        "unset reports ingress as not configured.",
    )
    METRICS_TOKEN: Secret | None = setting(
        None,
        description="Bearer token /metrics requires (secret); unset leaves it open.",
    )

    DASHBOARD_REFRESH_SECONDS: PositiveFloat = setting(
        30.0,
        description="How often an open dashboard tab re-reads everything and "
        "re-checks its login; live counters move at once regardless.",
    )

    SIMULATION_TIME_SCALE: NonNegativeFloat = setting(
        1.0,
        description="How fast the characters work: 1 is real time, 0.01 a "
        "hundred times faster, 0 no waiting at all.",
    )
    HISTORY_RETENTION_DAYS: Positive = setting(
        7, description="Days that task history and health snapshots are kept."
    )
    EVENT_STREAM_MAX_LENGTH: Annotated[int, Meta(ge=100)] = setting(
        10_000, description="Most events the live event stream holds."
    )
    EVENT_STREAM_MAX_AGE_HOURS: Positive = setting(
        24, description="Events older than this are trimmed by maintenance."
    )
    SCHEDULER_TIMEZONE: str = setting(
        "America/Chicago", description="Time zone of the plant's daily timeline."
    )
    SCHEDULER_FORCE_UPDATE: bool = setting(
        False,
        description="Replace persisted scheduler jobs with the code's definitions "
        "(runtime changes such as a pause are lost).",
    )
    SIMULATION_ENABLED: bool = setting(
        True, description="Whether the scheduler keeps the queues busy."
    )
    BACKUP_DIR: Path = setting(
        Path(".data/backups"), description="Where database backups are written."
    )
    BACKUP_RETENTION: Positive = setting(
        7, description="Backups kept; older ones are deleted."
    )
    EVENT_STREAM_MAX_CLIENTS: Positive = setting(
        100, description="Most live-event subscribers per webserver process."
    )

    # Not a setting: the names given by a source rather than left at default.
    given: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    @property
    def is_prod(self) -> bool:
        return self.APP_ENV == "prod"

    @property
    def secret_key_is_strong(self) -> bool:
        key = self.SECRET_KEY.get_secret_value()
        return key != DEFAULT_SECRET_KEY and len(key) >= MIN_SECRET_KEY_LENGTH

    @property
    def log_json(self) -> bool:
        if self.LOG_FORMAT == "auto":
            return self.is_prod
        return self.LOG_FORMAT == "json"

    @property
    def registration_open(self) -> bool:
        if self.AUTH_REGISTRATION_ENABLED is None:
            return not self.is_prod
        return self.AUTH_REGISTRATION_ENABLED

    @cached_property
    def in_container(self) -> bool:
        if self.IN_CONTAINER is None:
            return urls.running_in_container()
        return self.IN_CONTAINER

    @property
    def database_url_sync(self) -> "URL":
        """URL for the psycopg engine (migrations, CLI)."""
        return self._database_url("sync")

    @property
    def database_url_async(self) -> "URL":
        """URL for SQLAlchemy's asyncpg engine (the webserver's models, health)."""
        return self._database_url("async")

    @property
    def postgres_dsn(self) -> str:
        """DSN for plain asyncpg: its pool (the job history, the scheduler's tables)
        and the scheduler's leader lock; never log it."""
        return urls.postgres_dsn(
            self.DATABASE_URL,
            password=_reveal(self.DATABASE_PASSWORD),
            in_container=self.in_container,
        )

    @property
    def redis_dsn(self) -> str:
        """Redis DSN with the password applied; never log it, see `redact_url`."""
        return urls.redis_url(
            self.REDIS_URL,
            password=_reveal(self.REDIS_PASSWORD),
            in_container=self.in_container,
        )

    def _database_url(self, driver: str) -> "URL":
        return urls.database_url(
            self.DATABASE_URL,
            driver=driver,
            password=_reveal(self.DATABASE_PASSWORD),
            in_container=self.in_container,
        )


def setting_fields() -> tuple[Field, ...]:
    """Every setting's field, in the order they are declared."""
    return tuple(f for f in fields(Settings) if "description" in f.metadata)


def default_of(name: str) -> Any:
    """A setting's default value (its factory called)."""
    spec = next(f for f in setting_fields() if f.name == name)
    if spec.default_factory is not MISSING:
        return spec.default_factory()
    return spec.default


# Checks beyond the type, for values a source gave; the defaults are known good,
# so processes that log nobody in (workers, the scheduler) need not load `limits`.
def _rate_limit(value: str) -> None:
    import limits

    limits.parse(value)  # raises ValueError with the offending text


def _ordered_thresholds(value: Thresholds) -> None:
    warning, unhealthy = value
    if not 0 <= warning <= unhealthy <= 100:
        raise ValueError("two percentages, warning then unhealthy: e.g. 85,95")


def _known_timezone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None


CHECKS: dict[str, Callable[[Any], None]] = {
    "LOGIN_RATE_LIMIT_PER_ADDRESS": _rate_limit,
    "LOGIN_RATE_LIMIT_PER_ACCOUNT": _rate_limit,
    "SCHEDULER_TIMEZONE": _known_timezone,
    **dict.fromkeys(THRESHOLD_SETTINGS, _ordered_thresholds),
}


def load_settings(*, env_file: str | None = ".env", **overrides: Any) -> Settings:
    """Settings from `overrides`, the environment, secret files and `env_file`,
    in that order of precedence; a `SettingsError` with one clear line."""
    given = _given_values(overrides, env_file)
    hints = _setting_types()
    values: dict[str, Any] = {}
    problems: list[str] = []
    for name, raw in given.items():
        try:
            values[name] = _convert(name, raw, hints[name])
        except (msgspec.ValidationError, ValueError) as error:
            problems.append(f"{name}: {error}")
    if problems:
        raise SettingsError("; ".join(problems))
    settings = Settings(**values, given=frozenset(values))
    if settings.is_prod and not settings.secret_key_is_strong:
        raise SettingsError(
            "SECRET_KEY must be set to a random value of at least "
            f"{MIN_SECRET_KEY_LENGTH} characters when APP_ENV=prod "
            "(SECRET_KEY, SECRET_KEY_FILE or the secret_key credential)"
        )
    return settings


def _given_values(overrides: Mapping[str, Any], env_file: str | None) -> dict[str, Any]:
    names = {f.name for f in setting_fields()}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"not settings: {', '.join(unknown)}")
    sources = (
        overrides,
        {k: v for k, v in os.environ.items() if k in names},
        _secret_files(),
        _dotenv(env_file, names),
    )
    given: dict[str, Any] = {}
    for source in reversed(sources):
        given.update(source)
    return given


def _secret_files() -> dict[str, str]:
    """Secrets from `NAME_FILE` variables, then from `$CREDENTIALS_DIRECTORY`."""
    credentials = os.environ.get("CREDENTIALS_DIRECTORY")
    values: dict[str, str] = {}
    for name in SECRET_SETTINGS:
        if file_name := os.environ.get(f"{name}_FILE"):
            values[name] = read_secret_file(Path(file_name), f"{name}_FILE")
        elif credentials and (path := Path(credentials, name.lower())).is_file():
            values[name] = read_secret_file(path, f"credential {name.lower()}")
    return values


def _dotenv(env_file: str | None, names: set[str]) -> dict[str, str]:
    if env_file is None or not Path(env_file).is_file():
        return {}
    from dotenv import dotenv_values  # loaded only where a .env file exists

    return {
        k: v
        for k, v in dotenv_values(env_file, encoding="utf-8").items()
        if k in names and v is not None
    }


@cache
def _setting_types() -> dict[str, Any]:
    return get_type_hints(Settings, include_extras=True)


def _convert(name: str, raw: Any, kind: Any) -> Any:
    if name in COMMA_SEPARATED and isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    value = msgspec.convert(raw, kind, strict=False, dec_hook=_decode)
    if check := CHECKS.get(name):
        check(value)
    return value


def _decode(kind: type, value: Any) -> Any:
    """Values of the types msgspec leaves to us: secrets and paths, from text."""
    if isinstance(value, kind):
        return value
    if kind in (Secret, Path) and isinstance(value, str):
        return kind(value)
    raise NotImplementedError


def read_secret_file(path: Path, origin: str) -> str:
    """A secret file's content without its trailing newline."""
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        raise SettingsError(f"{origin}: cannot read {path}: {error.strerror}") from None


@cache
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()


def _reveal(secret: Secret | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None
