"""The Django application of the review service."""

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    label = "review"
    verbose_name = "Review of explained scores"
    default_auto_field = "django.db.models.BigAutoField"
