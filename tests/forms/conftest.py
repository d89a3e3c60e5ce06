"""Fixtures of the survey-form tests: small atlases with a tree, and the Senegal one."""

from fixtures_forms import zz_atlas, zz_gpkg  # noqa: F401 - fixtures, found by name
from fixtures_ingest import regions_atlas, sn_atlas, sn_template, target_url  # noqa: F401
