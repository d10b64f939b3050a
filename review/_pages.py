"""The Jinja2 environment of the review service's pages.

The case content is rendered by riskmodel's own template (the one the static case pages
include), so the service and the pages cannot drift apart.
"""

from __future__ import annotations

import jinja2
from django.urls import reverse

import riskmodel

__all__ = ["environment"]


def environment(**options) -> jinja2.Environment:
    """Django's Jinja2 backend calls this with its options (loader, autoescape...)."""
    options["undefined"] = jinja2.StrictUndefined
    options.setdefault("trim_blocks", True)
    options.setdefault("lstrip_blocks", True)
    env = jinja2.Environment(**options)
    env.filters.update(riskmodel.case_filters())
    env.globals.update(url=reverse)
    return env
