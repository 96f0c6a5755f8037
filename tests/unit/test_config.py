"""Settings come from WAREHOUSE_* variables, with clear errors for bad values."""

from __future__ import annotations

from pathlib import Path

import pytest

from warehouse.config import Settings


def test_defaults_put_a_sqlite_file_in_the_data_dir():
    settings = Settings.from_env({})
    assert settings.data_dir == Path("./var")
    assert settings.resolved_database_url.startswith("sqlite:///")
    assert settings.resolved_database_url.endswith("var/warehouse.sqlite3")


def test_variables_are_read_and_converted():
    settings = Settings.from_env(
        {
            "WAREHOUSE_DATABASE_URL": "postgresql+psycopg://db/wh",
            "WAREHOUSE_TOKEN_HOURS": "8",
            "WAREHOUSE_SQL_ECHO": "yes",
            "WAREHOUSE_DATA_DIR": "/srv/wh",
        }
    )
    assert settings.resolved_database_url == "postgresql+psycopg://db/wh"
    assert settings.token_hours == 8
    assert settings.sql_echo is True
    assert settings.data_dir == Path("/srv/wh")


def test_a_bad_number_names_the_variable():
    with pytest.raises(ValueError, match="WAREHOUSE_TOKEN_HOURS"):
        Settings.from_env({"WAREHOUSE_TOKEN_HOURS": "twelve"})
