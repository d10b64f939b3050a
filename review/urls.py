"""The review service's addresses (part of its contract)."""

from django.urls import path

from . import _views

handler404 = "review._views.not_found"

urlpatterns = [
    path("", _views.home),
    path("login/", _views.sign_in_page, name="login"),
    path("logout/", _views.sign_out, name="logout"),
    path("caseload/", _views.caseload_page, name="caseload"),
    path("case/<str:person_id>/", _views.case_page, name="case"),
    path("case/<str:person_id>/review/", _views.review_case, name="review"),
    path("governance/", _views.governance_page, name="governance"),
    path("audit-log/", _views.audit_log_page, name="audit-log"),
    path("style.css", _views.stylesheet, name="style"),
]
