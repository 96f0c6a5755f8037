"""The return-centre service. `warehouse.app.create_app()` builds the Flask app; `warehouse.cli`
is its command line. This package imports nothing: importing a pure rules module loads no framework.
"""
