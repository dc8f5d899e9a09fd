"""Marshmallow schemas of the API: JSON field names are the columns' names, references ``<name>_id``."""
