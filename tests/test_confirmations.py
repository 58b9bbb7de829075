"""Destructive actions ask first, without scripts: revoking an API token, deactivating an account, withdrawing a
trainee. A GET shows what will happen and a POST button with CSRF and confirm=1; the original POST without
confirm=1 shows that page instead of acting; only the confirmed POST acts."""
import re
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from onboarding.api.models import ApiToken
from onboarding.api.tokens import create_token
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.mentoring.models import RolePlayAttempt
from onboarding.people.models import TraineeRecord

from .conftest import as_user, ready_for_role_play, staff_and_trainee


@pytest.fixture
def people(make_user):
    people = staff_and_trainee(make_user)
    people["other"] = make_user("trainee", email="olga@example.com", name="Olga Other", mentor=people["mentor"])
    return people


def _confirmation_form(html, action):
    """The confirmation page's form: it posts to `action` with a CSRF token and confirm=1, needing no script."""
    form = re.search(r'<form method="post" action="' + re.escape(action) + r'"[^>]*>(.*?)</form>', html, re.S)
    assert form, f"no confirmation form posting to {action}"
    body = form.group(1)
    assert re.search(r'name="[a-z-]*csrf_token"', body) and 'name="confirm" value="1"' in body
    assert 'type="submit"' in body
    return body


def _token_row(app, uid, name="HR export"):
    with app.app_context():
        token = create_token(db.session.get(User, uid), name)
        db.session.commit()
        return token, db.session.scalar(sa.select(ApiToken.id).where(ApiToken.token_hash.is_not(None))
                                         .order_by(ApiToken.id.desc()))


def csrf(auth):
    return auth.token("/account/password")


def _api_me(app, token):
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


# ---------------------------------------------------------------- revoking an API token

def test_revoking_a_token_asks_first_and_acts_only_when_confirmed(app, people):
    token, tid = _token_row(app, people["trainee"])
    client, auth = as_user(app, "tom@example.com")
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert f'href="/account/tokens/{tid}/revoke"' in listing  # a link: the page works without scripts
    page = client.get(f"/account/tokens/{tid}/revoke")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Revoke the token “HR export”?" in html
    assert "are refused from now on" in html and "It has never been used." in html
    _confirmation_form(html, f"/account/tokens/{tid}/revoke")
    assert _api_me(app, token) == 200
    # The old one-click POST, without confirm=1, shows the same page and changes nothing.
    again = client.post(f"/account/tokens/{tid}/revoke", data={"csrf_token": auth.token("/account/tokens")})
    assert again.status_code == 200 and "Revoke the token “HR export”?" in again.get_data(as_text=True)
    assert _api_me(app, token) == 200
    done = client.post(f"/account/tokens/{tid}/revoke", data={"confirm": "1",
                                                              "csrf_token": auth.token("/account/tokens")})
    assert done.status_code == 302 and _api_me(app, token) == 401
    assert "This token is revoked already." in client.get(f"/account/tokens/{tid}/revoke",
                                                          follow_redirects=True).get_data(as_text=True)


def test_a_token_is_revoked_only_by_its_owner_and_with_a_csrf_token(app, people):
    token, tid = _token_row(app, people["trainee"])
    for email in ("olga@example.com", "mentor@example.com", "head@example.com", "admin@example.com"):
        client, auth = as_user(app, email)
        assert client.get(f"/account/tokens/{tid}/revoke").status_code == 403
        assert client.post(f"/account/tokens/{tid}/revoke", data={"confirm": "1",
                                                                  "csrf_token": csrf(auth)}).status_code == 403
    assert "/login" in app.test_client().get(f"/account/tokens/{tid}/revoke").headers["Location"]
    owner, _ = as_user(app, "tom@example.com")
    assert owner.post(f"/account/tokens/{tid}/revoke", data={"confirm": "1"}).status_code == 400
    assert _api_me(app, token) == 200


# ---------------------------------------------------------------- deactivating an account

def test_deactivating_asks_first_and_says_what_happens(app, people):
    token, _tid = _token_row(app, people["mentor"])
    admin, auth = as_user(app, "admin@example.com")
    user_page = admin.get(f"/admin/users/{people['mentor']}").get_data(as_text=True)
    assert f'href="/admin/users/{people["mentor"]}/active"' in user_page
    html = admin.get(f"/admin/users/{people['mentor']}/active").get_data(as_text=True)
    assert "Deactivate the account of Marco Mentor?" in html
    assert "Marco Mentor can no longer sign in" in html
    assert "Their 1 API token stops working." in html
    assert "The 2 trainees they mentor are answered by the head of sales" in html
    body = _confirmation_form(html, f"/admin/users/{people['mentor']}/active")
    assert 'name="active" value="0"' in body
    with app.app_context():
        assert db.session.get(User, people["mentor"]).active is True
    # The old button's POST, without confirm=1, shows the page instead of acting.
    page = admin.post(f"/admin/users/{people['mentor']}/active",
                      data={"active": "0", "csrf_token": auth.token(f"/admin/users/{people['mentor']}")})
    assert page.status_code == 200 and "Deactivate the account of Marco Mentor?" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, people["mentor"]).active is True
    assert _api_me(app, token) == 200
    done = admin.post(f"/admin/users/{people['mentor']}/active",
                      data={"active": "0", "confirm": "1", "csrf_token": csrf(auth)})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, people["mentor"]).active is False
    assert _api_me(app, token) == 401
    # Reactivating harms nothing: it acts at once; the confirmation page is no longer offered.
    assert admin.get(f"/admin/users/{people['mentor']}/active").status_code == 302
    assert admin.post(f"/admin/users/{people['mentor']}/active",
                      data={"active": "1", "csrf_token": csrf(auth)}).status_code == 302
    with app.app_context():
        assert db.session.get(User, people["mentor"]).active is True


def test_deactivating_a_trainee_names_no_mentoring(app, people):
    admin, _ = as_user(app, "admin@example.com")
    html = admin.get(f"/admin/users/{people['trainee']}/active").get_data(as_text=True)
    consequences = html.split('<ul class="consequences">')[1].split("</ul>")[0]
    assert "Tom Becker can no longer sign in" in consequences
    assert "they mentor" not in consequences and "API token" not in consequences


def test_an_administrator_cannot_deactivate_themself_even_when_confirming(app, people):
    admin, auth = as_user(app, "admin@example.com")
    page = admin.get(f"/admin/users/{people['admin']}").get_data(as_text=True)
    assert "You cannot deactivate your own account." in page and "Deactivate the account…" not in page
    assert admin.get(f"/admin/users/{people['admin']}/active").status_code == 302
    refused = admin.post(f"/admin/users/{people['admin']}/active",
                         data={"active": "0", "confirm": "1", "csrf_token": csrf(auth)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'class="error-summary"' in html
    assert "You cannot deactivate your own account." in html
    with app.app_context():
        assert db.session.get(User, people["admin"]).active is True


@pytest.mark.parametrize("email", ["tom@example.com", "mentor@example.com", "head@example.com"])
def test_only_an_administrator_deactivates(app, people, email):
    client, auth = as_user(app, email)
    assert client.get(f"/admin/users/{people['other']}/active").status_code == 403
    assert client.post(f"/admin/users/{people['other']}/active",
                       data={"active": "0", "confirm": "1", "csrf_token": csrf(auth)}).status_code == 403
    with app.app_context():
        assert db.session.get(User, people["other"]).active is True


# ---------------------------------------------------------------- withdrawing a trainee

def _held(app, uid):
    """Every role-play attempt used and failed: the head of sales decides."""
    ready_for_role_play(app, uid)
    with app.app_context():
        for number, scenario in ((1, "school"), (2, "warehouse")):
            db.session.add(RolePlayAttempt(trainee_id=uid, scenario_slug=scenario, number=number, allowed=2,
                                           scheduled_for=datetime.now(timezone.utc) - timedelta(days=3 - number),
                                           state="scored", percent=40.0, passed=False,
                                           completed_at=datetime.now(timezone.utc)))
        db.session.commit()


def _status(app, uid):
    with app.app_context():
        return db.session.scalar(sa.select(TraineeRecord.status).where(TraineeRecord.user_id == uid))


def test_withdrawing_asks_first_and_keeps_the_reasons_typed(app, people):
    uid = people["trainee"]
    _held(app, uid)
    head, auth = as_user(app, "head@example.com")
    reasons = "No progress on discovery questions after two attempts."
    page = head.post(f"/trainees/{uid}/decision", data={"hold-decision": "withdraw", "hold-plan": reasons,
                                                        "csrf_token": auth.token(f"/trainees/{uid}/role-play")})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Withdraw Tom Becker from the training?" in html
    assert "their status becomes Withdrawn" in html and "Nothing can follow it" in html
    body = _confirmation_form(html, f"/trainees/{uid}/decision")
    assert 'name="hold-decision" value="withdraw"' in body and reasons in body  # editable, as typed
    assert f'href="/trainees/{uid}/role-play"' in html  # the way back records nothing
    assert _status(app, uid) == "in_training"
    done = head.post(f"/trainees/{uid}/decision", data={"hold-decision": "withdraw", "hold-plan": reasons,
                                                        "confirm": "1", "csrf_token": csrf(auth)})
    assert done.status_code == 302 and _status(app, uid) == "withdrawn"


def test_the_withdrawal_page_answers_a_get_and_refuses_empty_reasons_there(app, people):
    uid = people["trainee"]
    _held(app, uid)
    head, auth = as_user(app, "head@example.com")
    html = head.get(f"/trainees/{uid}/decision?decision=withdraw").get_data(as_text=True)
    _confirmation_form(html, f"/trainees/{uid}/decision")
    assert "Withdraw Tom Becker from the training?" in html
    refused = head.post(f"/trainees/{uid}/decision", data={"hold-decision": "withdraw", "hold-plan": "",
                                                           "confirm": "1", "csrf_token": csrf(auth)})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and 'class="error-summary"' in html and 'href="#hold-plan"' in html
    assert "Withdraw Tom Becker from the training?" in html  # still on the confirmation page
    assert _status(app, uid) == "in_training"
    # Without anything to decide, the address goes back to the role-play page.
    assert head.get(f"/trainees/{people['other']}/decision?decision=withdraw").status_code == 302


def test_keeping_in_training_needs_no_confirmation(app, people):
    uid = people["trainee"]
    _held(app, uid)
    head, auth = as_user(app, "head@example.com")
    done = head.post(f"/trainees/{uid}/decision", data={"hold-decision": "keep", "hold-plan": "Coaching on "
                                                        "discovery questions with the mentor.",
                                                        "csrf_token": csrf(auth)})
    assert done.status_code == 302 and _status(app, uid) == "in_training"


@pytest.mark.parametrize("email", ["tom@example.com", "mentor@example.com", "admin@example.com"])
def test_only_the_head_of_sales_withdraws(app, people, email):
    uid = people["trainee"]
    _held(app, uid)
    client, auth = as_user(app, email)
    assert client.get(f"/trainees/{uid}/decision?decision=withdraw").status_code == 403
    assert client.post(f"/trainees/{uid}/decision", data={"hold-decision": "withdraw", "hold-plan": "Not me.",
                                                          "confirm": "1", "csrf_token": csrf(auth)}
                       ).status_code == 403
    assert _status(app, uid) == "in_training"
