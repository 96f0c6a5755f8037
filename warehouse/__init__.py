"""The return-centre service. `create_app()` builds the Flask app; `warehouse` is its CLI."""

from warehouse.app import create_app

__all__ = ["create_app"]
