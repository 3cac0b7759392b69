"""Settings: defaults, secret files, credentials, and the prod secret rule."""

from pathlib import Path

import pytest

from app.core.config import (
    CHECKS,
    DEFAULT_SECRET_KEY,
    SECRET_SETTINGS,
    SettingsError,
    default_of,
    load_settings,
    setting_fields,
)

STRONG_KEY = "k" * 48


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No variable or .env file of the developer's leaks into these tests."""
    for field in setting_fields():
        monkeypatch.delenv(field.name, raising=False)
        monkeypatch.delenv(f"{field.name}_FILE", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    monkeypatch.chdir(tmp_path)


def test_every_setting_is_documented() -> None:
    undocumented = [f.name for f in setting_fields() if not f.metadata["description"]]
    assert undocumented == []


def test_every_default_passes_its_setting_checks() -> None:
    # Checks run on given values only, because the defaults are known good.
    for name, check in CHECKS.items():
        check(default_of(name))


def test_defaults_run_in_dev() -> None:
    settings = load_settings()
    assert (settings.APP_ENV, settings.PORT, settings.registration_open) == (
        "dev",
        8000,
        True,
    )


def test_secret_from_a_file_variable(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "key").write_text(STRONG_KEY + "\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "key"))
    assert load_settings().SECRET_KEY.get_secret_value() == STRONG_KEY


def test_secrets_from_the_systemd_credentials_directory(
    tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "secret_key").write_text(STRONG_KEY)
    (tmp_path / "database_password").write_text("pg-pass")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    settings = load_settings(DATABASE_URL="postgresql://app@db.internal/app")
    assert settings.SECRET_KEY.get_secret_value() == STRONG_KEY
    assert settings.database_url_async.password == "pg-pass"


def test_a_file_variable_wins_over_the_credentials_directory(
    tmp_path: Path, monkeypatch
) -> None:
    (tmp_path / "redis_password").write_text("from-credentials")
    (tmp_path / "file").write_text("from-file")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    monkeypatch.setenv("REDIS_PASSWORD_FILE", str(tmp_path / "file"))
    password = load_settings().REDIS_PASSWORD
    assert password is not None and password.get_secret_value() == "from-file"


def test_an_unreadable_secret_file_is_one_clear_error(monkeypatch) -> None:
    monkeypatch.setenv("DATABASE_PASSWORD_FILE", "/nonexistent/pw")
    with pytest.raises(SettingsError, match=r"^DATABASE_PASSWORD_FILE: cannot read"):
        load_settings()


@pytest.mark.parametrize("key", [None, DEFAULT_SECRET_KEY, "short"])
def test_prod_refuses_a_missing_default_or_short_secret_key(key, monkeypatch) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    assert "SECRET_KEY" in message and "\n" not in message


def test_prod_runs_with_a_strong_key_and_closes_registration(monkeypatch) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    settings = load_settings()
    assert (settings.registration_open, settings.log_json) == (False, True)


def test_invalid_values_name_the_setting(monkeypatch) -> None:
    monkeypatch.setenv("PORT", "eighty")
    monkeypatch.setenv("LOGIN_RATE_LIMIT_PER_ACCOUNT", "lots")
    with pytest.raises(SettingsError) as refused:
        load_settings()
    assert "PORT:" in str(refused.value)
    assert "LOGIN_RATE_LIMIT_PER_ACCOUNT:" in str(refused.value)


def test_cors_origins_are_comma_separated(monkeypatch) -> None:
    monkeypatch.setenv("CORS_ORIGINS", "https://a.example, https://b.example")
    assert load_settings().CORS_ORIGINS == ["https://a.example", "https://b.example"]


def test_secrets_are_never_in_the_settings_repr(monkeypatch) -> None:
    for name in SECRET_SETTINGS:
        monkeypatch.setenv(name, f"{name}-value-that-must-not-show-0123456789")
    text = repr(load_settings())
    assert not any(f"{name}-value" in text for name in SECRET_SETTINGS)


def test_sources_in_order_overrides_environment_secret_files_dotenv(
    tmp_path: Path, monkeypatch
) -> None:
    # The fixture made tmp_path the working directory, where .env is read.
    (tmp_path / ".env").write_text(
        "HOST=0.0.0.0\nPORT=8100\nJWT_ISSUER=from-dotenv\n"
        "METRICS_TOKEN=from-dotenv\nDOCS_USERNAME=from-dotenv\nNOT_A_SETTING=1\n"
    )
    (tmp_path / "token").write_text("from-file\n")
    monkeypatch.setenv("METRICS_TOKEN_FILE", str(tmp_path / "token"))
    monkeypatch.setenv("PORT", "8200")
    monkeypatch.setenv("DOCS_USERNAME", "from-environment")
    settings = load_settings(DOCS_USERNAME="from-override")
    token = settings.METRICS_TOKEN
    assert (settings.HOST, settings.PORT, settings.JWT_ISSUER) == (
        "0.0.0.0",
        8200,
        "from-dotenv",
    )
    assert token is not None and token.get_secret_value() == "from-file"
    assert settings.DOCS_USERNAME == "from-override"
    assert {"HOST", "PORT", "METRICS_TOKEN"} <= settings.given
    assert "DATABASE_URL" not in settings.given
    assert load_settings(env_file=None).HOST == "127.0.0.1"


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("SIMULATION_ENABLED", "false", False),
        ("SIMULATION_ENABLED", "1", True),
        ("IN_CONTAINER", "TRUE", True),
        ("HEALTH_CPU_PERCENT", "80, 90", (80.0, 90.0)),
        ("SIMULATION_TIME_SCALE", "0.01", 0.01),
        ("BACKUP_DIR", "/var/backups", Path("/var/backups")),
        ("LOG_LEVEL", "DEBUG", "DEBUG"),
    ],
)
def test_environment_text_is_read_as_each_setting_type(
    name: str, text: str, value: object, monkeypatch
) -> None:
    monkeypatch.setenv(name, text)
    assert getattr(load_settings(), name) == value


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("SIMULATION_ENABLED", "maybe"),
        ("PORT", "0"),
        ("LOG_LEVEL", "LOUD"),
        ("HEALTH_CPU_PERCENT", "95,85"),
        ("HEALTH_DISK_PERCENT", "90"),
        ("SCHEDULER_TIMEZONE", "Springfield/Sector7G"),
        ("EVENT_STREAM_MAX_LENGTH", "99"),
    ],
)
def test_each_invalid_value_is_refused_naming_its_setting(
    name: str, text: str, monkeypatch
) -> None:
    monkeypatch.setenv(name, text)
    with pytest.raises(SettingsError, match=rf"^{name}: "):
        load_settings()


def test_a_name_that_is_not_a_setting_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="PROT"):
        load_settings(PROT=8000)
