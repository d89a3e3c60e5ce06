"""Fixtures of the app tests: an app environment with no sign-in state, the demo atlas served."""

from app_support import app_env, editor_app, read_only_app  # noqa: F401 - fixtures, by name
