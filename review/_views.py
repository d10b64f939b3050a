"""The pages of the review service. Every page but the sign-in page needs a signed-in user.

Access: practitioners and team leads see their own team's cases (another team's case is
"not found"); governance sees aggregates only; only administrators read the audit log.
Every case view, decision and sign-in attempt is written to the audit log.
"""

from __future__ import annotations

import functools
from functools import wraps
from pathlib import Path
from urllib.parse import quote

from django import forms
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import riskmodel

from . import _audit, _governance
from ._caseload import CAN_SEE_CASES, caseload, find_case, with_review_status
from ._signin import sign_in
from .models import Action, AuditEvent, Decision, Role, StaffProfile

Kind = AuditEvent.Kind
CASELOAD_PAGE = 50
AUDIT_PAGE = 100


def role_of(user) -> str | None:
    """The user's role, or None for a user without a staff profile."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_staff_loaded"):
        try:
            user._staff_loaded = user.staff  # loaded with the user by StaffBackend
        except StaffProfile.DoesNotExist:
            user._staff_loaded = None
    return user._staff_loaded.role if user._staff_loaded is not None else None


def allowed(*roles):
    """Let only signed-in users with one of ``roles`` in; others to sign-in, or 403."""
    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect(f"/login/?next={quote(request.path)}")
            if role_of(request.user) not in roles:
                if "person_id" in kwargs:
                    _audit.record(request, Kind.CASE_REFUSED, person_id=kwargs["person_id"][:64], detail="role")
                return _page(request, "review/refused.html.j2", {"what": "This page"}, status=403)
            request.team = request.user._staff_loaded.team
            return view(request, *args, **kwargs)
        return wrapped
    return decorate


class SignInForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(max_length=256, widget=forms.PasswordInput)


class DecisionForm(forms.Form):
    agrees = forms.TypedChoiceField(choices=[("yes", "Agree with the band"), ("no", "Disagree with the band")],
                                    coerce=lambda v: v == "yes", widget=forms.RadioSelect)
    action = forms.ChoiceField(choices=Action.choices, widget=forms.RadioSelect)
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


@require_http_methods(["GET", "POST"])
def sign_in_page(request):
    form = SignInForm(request.POST or None)
    failed = False
    if request.method == "POST" and form.is_valid():
        username = form.cleaned_data["username"]
        user, locked = sign_in(request, username, form.cleaned_data["password"])
        if user is not None:
            login(request, user)
            _audit.record(request, Kind.SIGN_IN, user=user)
            return redirect(_next(request, user))
        _audit.record(request, Kind.SIGN_IN_LOCKED if locked else Kind.SIGN_IN_FAILED, username=username[:150])
        failed = True
    return _page(request, "review/login.html.j2", {"form": form, "failed": failed}, status=401 if failed else 200)


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        _audit.record(request, Kind.SIGN_OUT)
    logout(request)
    return redirect("/login/")


@require_GET
def home(request):
    if not request.user.is_authenticated:
        return redirect("/login/")
    return redirect(_landing(request.user))


@require_GET
@allowed(*CAN_SEE_CASES)
def caseload_page(request):
    team = request.team
    load = caseload(team)
    page = Paginator(load.cases, CASELOAD_PAGE).get_page(request.GET.get("page"))
    page.object_list = with_review_status(page.object_list)
    _audit.record(request, Kind.CASELOAD_VIEW, detail=f"page {page.number}")
    return _page(request, "review/caseload.html.j2", {"team": team, "load": load, "page": page,
                                                       "actions": dict(Action.choices)})


@require_GET
@allowed(*CAN_SEE_CASES)
def case_page(request, person_id: str):
    return _case_response(request, person_id, DecisionForm())


@require_POST
@allowed(*CAN_SEE_CASES)
def review_case(request, person_id: str):
    form = DecisionForm(request.POST)
    case, expired = find_case(request.team, person_id)
    if case is None or expired or not form.is_valid():
        return _case_response(request, person_id, form, status=400)
    Decision.objects.create(case=case, user=request.user, **form.cleaned_data)
    _audit.record(request, Kind.DECISION, person_id=case.person_id,
                  detail=f"{'agrees' if form.cleaned_data['agrees'] else 'disagrees'}; {form.cleaned_data['action']}")
    response = redirect(f"/case/{case.person_id}/?recorded=1")
    response.status_code = 303  # See Other: the browser follows with a GET
    return response


@require_GET
@allowed(Role.GOVERNANCE)
def governance_page(request):
    _audit.record(request, Kind.GOVERNANCE_VIEW)
    return _page(request, "review/governance.html.j2", {"summary": _governance.summarise(),
                                                         "action_labels": [label for _, label in Action.choices]})


@require_GET
@allowed(Role.ADMIN)
def audit_log_page(request):
    events = AuditEvent.objects.select_related("user").order_by("-at", "-id")
    page = Paginator(events, AUDIT_PAGE).get_page(request.GET.get("page"))
    _audit.record(request, Kind.AUDIT_VIEW, detail=f"page {page.number}")
    return _page(request, "review/audit_log.html.j2", {"page": page, "kinds": dict(Kind.choices)})


@require_GET
def stylesheet(request):
    response = HttpResponse(_stylesheet_text(), content_type="text/css; charset=utf-8")
    response.cacheable = True
    response["Cache-Control"] = "max-age=3600"
    return response


@functools.cache
def _stylesheet_text() -> str:
    """The case page's stylesheet and the service's own, read once per process."""
    extra = (Path(__file__).parent / "static" / "review" / "review.css").read_text(encoding="utf-8")
    return riskmodel.case_stylesheet() + "\n" + extra


def csrf_failure(request, reason: str = ""):
    """Django calls this when a form arrives without a valid CSRF token."""
    return _page(request, "review/refused.html.j2", {"what": "This form", "csrf": True}, status=403)


def not_found(request, exception=None):
    return _page(request, "review/not_found.html.j2", {}, status=404)


def _case_response(request, person_id: str, form, *, status: int = 200):
    case, expired = find_case(request.team, person_id)
    if case is None:
        _audit.record(request, Kind.CASE_REFUSED, person_id=person_id[:64])
        return _page(request, "review/not_found.html.j2", {}, status=404)
    if expired:
        _audit.record(request, Kind.CASE_REFUSED, person_id=case.person_id, detail="expired")
        return _page(request, "review/expired.html.j2", {"batch": case.batch}, status=410)
    _audit.record(request, Kind.CASE_VIEW, person_id=case.person_id)
    decisions = case.decisions.select_related("user").order_by("-decided_at", "-id")
    context = {**case.content, "case": case, "form": form, "decisions": decisions,
               "actions": dict(Action.choices), "recorded": request.GET.get("recorded") == "1",
               "content_template": riskmodel.CASE_CONTENT_TEMPLATE}
    return _page(request, "review/case.html.j2", context, status=status)


def _page(request, template: str, context: dict, *, status: int = 200):
    role = role_of(request.user)
    staff = getattr(request.user, "_staff_loaded", None)
    context = {"user": request.user, "role": role, "roles": dict(Role.choices),
               "team_name": staff.team.name if staff is not None and staff.team is not None else "", **context}
    return render(request, template, context, status=status)


def _landing(user) -> str:
    return {Role.GOVERNANCE: "/governance/", Role.ADMIN: "/audit-log/"}.get(role_of(user), "/caseload/")


def _next(request, user) -> str:
    wanted = request.GET.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts=None) and wanted.startswith("/"):
        return wanted
    return _landing(user)
