import os
import sys
from pathlib import Path

import pytest

from app.core.config import Settings

SECTOR_7G = str(Path(sys.executable).with_name("sector-7g"))


@pytest.fixture
def cli_env(settings: Settings, tmp_path: Path) -> dict[str, str]:
    """The environment a `sector-7g` process needs to reach the test servers."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in Settings.model_fields and not key.endswith("_FILE")
    }
    env.update(
        {
            "APP_ENV": "dev",
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY.get_secret_value(),
            "IN_CONTAINER": "false",
            "COLUMNS": "200",  # rich wraps tables to the width it is given
        }
    )
    return env
