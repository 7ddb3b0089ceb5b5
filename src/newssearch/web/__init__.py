"""The web page and JSON API of an index: ``newssearch serve`` (:func:`create_app`)."""

from .app import create_app

__all__ = ["create_app"]
