"""Built-in indicators, one module per theme.

Importing this package registers them in :data:`atlas.diagnostics.registry.REGISTRY`
through the public ``@indicator`` decorator, the same way a user's own indicators do.
"""

from . import (  # noqa: F401 - imported for their registration side effect
    demography,
    education,
    energy,
    environment,
    housing,
    programmes,
    water,
)
