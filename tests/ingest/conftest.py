"""Fixtures of the import tests: fresh atlases with real Who's On First boundaries."""

from fixtures_ingest import regions_atlas, sn_atlas, sn_template, target_url  # noqa: F401
