import pytest

from app.core.config import Settings
from tests.utils.processes import process_env


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """The environment a `sector-7g` process needs to reach the test servers."""
    return process_env(settings, LOG_FORMAT="console")
