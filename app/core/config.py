"""Settings: one object, read from the environment, `.env` and secret files.

Every setting, its default and its meaning lives here; `sector-7g config show`
and the README's table are generated from these fields.
"""

import os
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings import SettingsError as PydanticSettingsError

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


# "warning,unhealthy" percentages, e.g. 85,95 (read as text, not as JSON).
Thresholds = Annotated[tuple[float, float], NoDecode]
# The settings of that shape.
THRESHOLD_SETTINGS = (
    "HEALTH_CPU_PERCENT",
    "HEALTH_MEMORY_PERCENT",
    "HEALTH_DISK_PERCENT",
    "HEALTH_QUEUE_FAILURE_PERCENT",
)


class SettingsError(Exception):
    """The configuration cannot run; the message is one line naming the setting."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    APP_ENV: Literal["dev", "prod"] = Field(
        "dev", description="`dev` or `prod`; prod enforces a real SECRET_KEY."
    )
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Minimum level of log lines."
    )
    LOG_FORMAT: Literal["auto", "console", "json"] = Field(
        "auto", description="`auto` is JSON in prod and console in dev."
    )
    IN_CONTAINER: bool | None = Field(
        None,
        description="Whether Compose hostnames (postgres, redis, traefik) resolve; "
        "unset detects a container.",
    )

    HOST: str = Field("127.0.0.1", description="Address the webserver binds.")
    PORT: int = Field(
        default_factory=lambda: load_topology().webserver.port,
        ge=1,
        le=65535,
        description="Port the webserver binds (default from the process table).",
    )
    FORWARDED_ALLOW_IPS: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For is trusted (comma-separated).",
    )
    CORS_ORIGINS: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to call the API from a browser (comma-separated).",
    )

    DATABASE_URL: str = Field(
        "postgresql://sector7g@localhost:5432/sector7g",
        description="PostgreSQL URL; a socket directory goes in `?host=`.",
    )
    DATABASE_PASSWORD: SecretStr | None = Field(
        None, description="Password for DATABASE_URL's user (secret)."
    )
    DATABASE_POOL_SIZE: int = Field(
        10,
        ge=1,
        description="Connections each process keeps open (as many again may "
        "open under load).",
    )

    REDIS_URL: str = Field(
        "redis://localhost:6379/0",
        description="Redis URL: `redis://host:port/db` or "
        "`unix:///path/redis.sock?db=0`.",
    )
    REDIS_PASSWORD: SecretStr | None = Field(
        None, description="Password for REDIS_URL (secret)."
    )

    SECRET_KEY: SecretStr = Field(
        SecretStr(DEFAULT_SECRET_KEY),
        description="Key that signs access tokens (secret; required in prod).",
    )
    JWT_ALGORITHM: Literal["HS256", "HS384", "HS512"] = Field(
        "HS256", description="Signature algorithm of access tokens."
    )
    JWT_ISSUER: str = Field("sector-7g", description="`iss` claim of access tokens.")
    JWT_AUDIENCE: str = Field("sector-7g", description="`aud` claim of access tokens.")
    ACCESS_TOKEN_EXPIRE_MINUTES: int = Field(
        60, ge=1, description="Lifetime of an access token."
    )
    AUTH_REGISTRATION_ENABLED: bool | None = Field(
        None,
        description="Whether anyone may register; unset means on in dev, off in prod.",
    )
    LOGIN_RATE_LIMIT_PER_ADDRESS: str = Field(
        "30/minute", description="Login attempts allowed from one client address."
    )
    LOGIN_RATE_LIMIT_PER_ACCOUNT: str = Field(
        "5/15 minutes", description="Failed logins allowed for one account."
    )

    DOCS_USERNAME: str = Field("docs", description="User name for /docs.")
    DOCS_PASSWORD: SecretStr | None = Field(
        None,
        description="Password for /docs (secret); without it the docs are open "
        "in dev and off in prod.",
    )

    HEALTH_CHECK_TIMEOUT_SECONDS: float = Field(
        1.5, gt=0, description="Time limit of each dependency check."
    )
    HEALTH_CACHE_SECONDS: float = Field(
        5.0, ge=0, description="How long a computed health tree is served again."
    )
    HEALTH_CPU_PERCENT: Thresholds = Field(
        (85.0, 95.0), description="CPU use that makes the server warning, unhealthy."
    )
    HEALTH_MEMORY_PERCENT: Thresholds = Field(
        (85.0, 95.0), description="Memory use that makes the server warning, unhealthy."
    )
    HEALTH_DISK_PERCENT: Thresholds = Field(
        (85.0, 95.0), description="Disk use that makes the server warning, unhealthy."
    )
    HEALTH_QUEUE_FAILURE_PERCENT: Thresholds = Field(
        (10.0, 50.0),
        description="Share of failed jobs that makes a queue warning, unhealthy.",
    )
    HEALTH_FAILURE_WINDOW_MINUTES: int = Field(
        15, ge=1, description="The recent past over which failure shares are computed."
    )
    TRAEFIK_API_URL: str | None = Field(
        None,
        description="Traefik's API (e.g. http://traefik:8080), checked by /health/; "
        "unset reports ingress as not configured.",
    )
    METRICS_TOKEN: SecretStr | None = Field(
        None,
        description="Bearer token /metrics requires (secret); unset leaves it open.",
    )

    DASHBOARD_REFRESH_SECONDS: float = Field(
        30.0,
        gt=0,
        description="How often an open dashboard tab re-reads everything and "
        "re-checks its login; live counters move at once regardless.",
    )

    SIMULATION_TIME_SCALE: float = Field(
        1.0,
        ge=0,
        description="How fast the characters work: 1 is real time, 0.01 a "
        "hundred times faster, 0 no waiting at all.",
    )
    HISTORY_RETENTION_DAYS: int = Field(
        7, ge=1, description="Days that task history and health snapshots are kept."
    )
    EVENT_STREAM_MAX_LENGTH: int = Field(
        10_000, ge=100, description="Most events the live event stream holds."
    )
    EVENT_STREAM_MAX_AGE_HOURS: int = Field(
        24, ge=1, description="Events older than this are trimmed by maintenance."
    )
    SCHEDULER_TIMEZONE: str = Field(
        "America/Chicago", description="Time zone of the plant's daily timeline."
    )
    SCHEDULER_FORCE_UPDATE: bool = Field(
        False,
        description="Replace persisted scheduler jobs with the code's definitions "
        "(runtime changes such as a pause are lost).",
    )
    SIMULATION_ENABLED: bool = Field(
        True, description="Whether the scheduler keeps the queues busy."
    )
    BACKUP_DIR: Path = Field(
        Path(".data/backups"), description="Where database backups are written."
    )
    BACKUP_RETENTION: int = Field(
        7, ge=1, description="Backups kept; older ones are deleted."
    )
    EVENT_STREAM_MAX_CLIENTS: int = Field(
        100, ge=1, description="Most live-event subscribers per webserver process."
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            env_settings,
            SecretFilesSource(settings_cls),
            dotenv_settings,
        )

    @field_validator("CORS_ORIGINS", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("LOGIN_RATE_LIMIT_PER_ADDRESS", "LOGIN_RATE_LIMIT_PER_ACCOUNT")
    @classmethod
    def _parse_rate_limit(cls, value: str, info: ValidationInfo) -> str:
        # A changed value is checked by the library that will read it; the
        # defaults are known good, so processes that log nobody in (workers,
        # the scheduler) need not load it.
        if value != cls.model_fields[str(info.field_name)].default:
            import limits

            limits.parse(value)  # raises ValueError with the offending text
        return value

    @field_validator(*THRESHOLD_SETTINGS, mode="before")
    @classmethod
    def _split_thresholds(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(","))
        return value

    @field_validator(*THRESHOLD_SETTINGS)
    @classmethod
    def _ordered_thresholds(cls, value: tuple[float, float]) -> tuple[float, float]:
        warning, unhealthy = value
        if not 0 <= warning <= unhealthy <= 100:
            raise ValueError("two percentages, warning then unhealthy: e.g. 85,95")
        return value

    @field_validator("SCHEDULER_TIMEZONE")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @model_validator(mode="after")
    def _refuse_weak_secret_in_prod(self) -> "Settings":
        if self.is_prod and not self.secret_key_is_strong:
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least "
                f"{MIN_SECRET_KEY_LENGTH} characters when APP_ENV=prod "
                "(SECRET_KEY, SECRET_KEY_FILE or the secret_key credential)"
            )
        return self

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


class SecretFilesSource(PydanticBaseSettingsSource):
    """Secrets from `NAME_FILE` variables, then from `$CREDENTIALS_DIRECTORY`."""

    def get_field_value(
        self, field: FieldInfo, field_name: str
    ) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        credentials = os.environ.get("CREDENTIALS_DIRECTORY")
        values: dict[str, Any] = {}
        for name in SECRET_SETTINGS:
            if file_name := os.environ.get(f"{name}_FILE"):
                values[name] = read_secret_file(Path(file_name), f"{name}_FILE")
            elif credentials and (path := Path(credentials, name.lower())).is_file():
                values[name] = read_secret_file(path, f"credential {name.lower()}")
        return values


def read_secret_file(path: Path, origin: str) -> str:
    """A secret file's content without its trailing newline."""
    try:
        return path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as error:
        raise SettingsError(f"{origin}: cannot read {path}: {error.strerror}") from None


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, or a `SettingsError` with one clear line."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
    except PydanticSettingsError as error:  # a value that is not what its type reads
        raise SettingsError(str(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    """One line naming each invalid field and what is wrong with it."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        problems.append(f"{field}: {message}" if field else message)
    return "; ".join(problems)


@cache
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()


def _reveal(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret is not None else None
