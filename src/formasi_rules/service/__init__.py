"""``formasi serve``: the decision service over HTTP (see docs/service.md).

    >>> from formasi_rules.service import create_app, Limits      # doctest: +SKIP
    >>> app = create_app("policies", limits=Limits(max_records=5_000), watch=True)

Needs the ``serve`` extra: ``pip install 'formasi-rules[serve]'``.
"""

from ._app import create_app
from ._limits import Limits
from ._errors import ServiceError

__all__ = ["Limits", "ServiceError", "create_app"]
