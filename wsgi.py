"""WSGI entry point: ``gunicorn wsgi:app``."""

from monitoris import create_app

app = create_app()
