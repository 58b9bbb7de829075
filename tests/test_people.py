"""Admin account pages and the head of sales' trainee pages: validation, changes, audit."""
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.people.models import TraineeRecord


def actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id))]


def test_admin_creates_an_account(app, client, auth, make_user):
    make_user("admin", email="a@example.com")
    auth.login("a@example.com")
    token = auth.token("/admin/users/new")
    response = client.post("/admin/users/new", data={"full_name": "Nina Novak", "email": "Nina@Example.com",
                                                     "role": "mentor", "password": "a-long-password-1",
                                                     "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "nina@example.com"))
        assert user.role == "mentor" and user.check_password("a-long-password-1")
    assert "user_created" in actions(app)


def test_invalid_account_form_keeps_what_was_typed(client, auth, make_user):
    make_user("admin", email="a@example.com")
    make_user("trainee", email="taken@example.com")
    auth.login("a@example.com")
    token = auth.token("/admin/users/new")
    response = client.post("/admin/users/new", data={"full_name": "Nina <b>Novak</b>", "email": "TAKEN@example.com",
                                                     "role": "mentor", "password": "short", "csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "An account with this email already exists." in html
    assert "Use at least 10 characters." in html
    assert 'value="Nina &lt;b&gt;Novak&lt;/b&gt;"' in html
    assert 'value="TAKEN@example.com"' in html


def test_admin_changes_role_deactivates_and_resets(app, client, auth, make_user):
    make_user("admin", email="a@example.com")
    uid = make_user("mentor", email="m@example.com")
    auth.login("a@example.com")
    token = auth.token(f"/admin/users/{uid}")
    assert client.post(f"/admin/users/{uid}/role", data={"role": "trainee", "csrf_token": token}).status_code == 302
    assert client.post(f"/admin/users/{uid}/active", data={"active": "0", "confirm": "1",
                                                            "csrf_token": token}).status_code == 302
    assert client.post(f"/admin/users/{uid}/password", data={"password": "brand-new-secret-7",
                                                             "csrf_token": token}).status_code == 302
    with app.app_context():
        user = db.session.get(User, uid)
        assert user.role == "trainee" and not user.active and user.check_password("brand-new-secret-7")
        assert db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid)) is not None
    assert {"role_changed", "user_deactivated", "password_reset", "trainee_added"} <= set(actions(app))


def test_deactivated_user_is_signed_out_and_refused(app, client, auth, make_user):
    make_user("admin", email="a@example.com")
    uid = make_user("trainee", email="t@example.com")
    other = app.test_client()
    from .conftest import AuthActions

    AuthActions(other).login("t@example.com")
    auth.login("a@example.com")
    client.post(f"/admin/users/{uid}/active", data={"active": "0", "confirm": "1",
                                                    "csrf_token": auth.token(f"/admin/users/{uid}")})
    assert "/login" in other.get("/").headers["Location"]
    assert AuthActions(app.test_client()).login("t@example.com").status_code == 401


def test_admin_cannot_lock_themself_out(app, client, auth, make_user):
    uid = make_user("admin", email="a@example.com")
    auth.login("a@example.com")
    token = auth.token(f"/admin/users/{uid}")
    response = client.post(f"/admin/users/{uid}/active", data={"active": "0", "csrf_token": token},
                           follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    response = client.post(f"/admin/users/{uid}/role", data={"role": "trainee", "csrf_token": token},
                           follow_redirects=True)
    assert "You cannot change your own role." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, uid).role == "admin"


def test_weak_reset_password_is_refused_with_a_message(client, auth, make_user):
    make_user("admin", email="a@example.com")
    uid = make_user("trainee")
    auth.login("a@example.com")
    response = client.post(f"/admin/users/{uid}/password",
                           data={"password": "password123", "csrf_token": auth.token(f"/admin/users/{uid}")})
    assert response.status_code == 400
    assert "too common" in response.get_data(as_text=True)


def test_admin_user_list_filters_and_paginates(app, client, auth, make_user):
    make_user("admin", email="a@example.com")
    for i in range(30):
        make_user("trainee", name=f"Person {i:02d}")
    auth.login("a@example.com")
    first = client.get("/admin/users?role=trainee").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Person 29" in client.get("/admin/users?role=trainee&page=2").get_data(as_text=True) \
        or "Person 29" in first
    assert "Person 07" in client.get("/admin/users?q=person+07").get_data(as_text=True)


def test_people_of_the_same_name_each_come_once_across_the_pages(app, client, auth, make_user):
    """Thirty accounts named alike: ties are broken by account, so paging neither repeats nor skips anyone."""
    import re

    make_user("admin", email="a@example.com", name="Zed Admin")
    ids = {make_user("mentor", email=f"alex{i}@example.com", name="Alex Meyer") for i in range(30)}
    auth.login("a@example.com")
    listed = []
    for page in (1, 2):
        html = client.get(f"/admin/users?role=mentor&page={page}").get_data(as_text=True)
        listed += [int(uid) for uid in re.findall(r'href="/admin/users/(\d+)"', html)]
    assert sorted(listed) == sorted(ids) and len(listed) == 30
    assert listed == sorted(listed)  # alike names in the order the accounts were made


def test_head_adds_a_trainee_with_start_date_and_mentor(app, client, auth, make_user):
    make_user("head", email="h@example.com")
    mentor = make_user("mentor", name="Marco Mentor")
    auth.login("h@example.com")
    response = client.post("/trainees/new", data={
        "full_name": "Tara Trainee", "email": "tara@example.com", "start_date": "2026-12-01",
        "mentor": str(mentor), "password": "first-password-55", "csrf_token": auth.token("/trainees/new")})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == "tara@example.com"))
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == user.id))
        assert str(record.start_date) == "2026-12-01" and str(record.target_date) == "2027-05-30"
        assert record.mentor_id == mentor
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tara Trainee" in page and "Marco Mentor" in page


def test_new_trainee_with_bad_date_and_bad_mentor_is_refused_clearly(client, auth, make_user):
    make_user("head", email="h@example.com")
    trainee = make_user("trainee")
    auth.login("h@example.com")
    response = client.post("/trainees/new", data={
        "full_name": "Tara", "email": "tara@example.com", "start_date": "31/12/2026", "mentor": str(trainee),
        "password": "first-password-55", "csrf_token": auth.token("/trainees/new")})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a date (YYYY-MM-DD)." in html or "Not a valid date value." in html
    assert "Choose a mentor from the list." in html
    assert 'value="31/12/2026"' in html and 'value="Tara"' in html
    response = client.post("/trainees/new", data={
        "full_name": "Tara", "email": "tara@example.com", "start_date": "2026-12-01", "mentor": "abc",
        "password": "first-password-55", "csrf_token": auth.token("/trainees/new")})
    assert response.status_code == 400


def test_head_assigns_a_mentor_and_changes_the_plan(app, client, auth, make_user):
    make_user("head", email="h@example.com")
    mentor = make_user("mentor")
    uid = make_user("trainee")
    auth.login("h@example.com")
    token = auth.token(f"/trainees/{uid}")
    response = client.post(f"/trainees/{uid}/plan", data={"start_date": "2026-11-01", "target_date": "2027-04-01",
                                                          "mentor": str(mentor), "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == uid))
        assert record.mentor_id == mentor and str(record.target_date) == "2027-04-01"
    assert {"mentor_assigned", "plan_changed"} <= set(actions(app))
    response = client.post(f"/trainees/{uid}/plan", data={"start_date": "2026-11-01", "target_date": "2026-10-01",
                                                          "mentor": "", "csrf_token": token})
    assert response.status_code == 400
    assert "The target date must come after the start date." in response.get_data(as_text=True)


def test_audit_log_page_filters(app, client, auth, make_user):
    make_user("head", email="h@example.com")
    make_user("trainee")
    auth.login("h@example.com")
    html = client.get("/audit?action=login").get_data(as_text=True)
    assert "<td>Signed in</td>" in html and "<td>Account created</td>" not in html
    assert client.get("/audit?from=not-a-date&actor=x").status_code == 400  # tests/test_audit_log.py: the rest


def test_plan_form_shows_the_current_mentor(client, auth, make_user):
    make_user("head", email="h@example.com")
    mentor = make_user("mentor", name="Marco Mentor")
    uid = make_user("trainee", mentor=mentor)
    auth.login("h@example.com")
    html = client.get(f"/trainees/{uid}").get_data(as_text=True)
    assert f'<option selected value="{mentor}">Marco Mentor</option>' in html


def test_head_puts_a_trainee_in_a_team_and_bulk_assigns(app, client, auth, make_user):
    from onboarding.activity.models import Team

    make_user("head", email="h@example.com")
    mentor = make_user("mentor", name="Marco Mentor")
    first, second = make_user("trainee", name="First One"), make_user("trainee", name="Second One")
    with app.app_context():
        team = Team(name="Offices")
        db.session.add(team)
        db.session.commit()
        team_id = team.id
    auth.login("h@example.com")
    home = client.get("/").get_data(as_text=True)
    assert "Assign the chosen trainees" in home and f'value="{first}"' in home
    token = auth.token("/")
    client.post("/trainees/assign", data={"trainees": [str(first), str(second)], "mentor": str(mentor),
                                          "csrf_token": token})
    client.post(f"/trainees/{first}/plan", data={"start_date": "2026-11-01", "target_date": "2027-04-01",
                                                 "mentor": str(mentor), "team": str(team_id), "csrf_token": token})
    with app.app_context():
        records = {r.user_id: r for r in db.session.scalars(sa.select(TraineeRecord))}
        assert records[first].mentor_id == records[second].mentor_id == mentor
        assert records[first].team_id == team_id
    assert "team_changed" in actions(app)


def test_two_mentors_of_one_name_are_told_apart_by_their_addresses(app, client, auth, make_user):
    """The lists a head assigns mentors from name each person once: where two share a name, their e-mail addresses
    tell them apart (others keep their name alone)."""
    make_user("head", email="h@example.com", name="Hana Head")
    first = make_user("mentor", email="anna.s@example.com", name="Anna Schmidt")
    second = make_user("mentor", email="anna.schmidt@example.com", name="Anna Schmidt")
    make_user("mentor", email="ben@example.com", name="Ben Berg")
    uid = make_user("trainee", mentor=first)
    auth.login("h@example.com")
    for path in ("/", f"/trainees/{uid}"):
        html = client.get(path).get_data(as_text=True)
        assert f'value="{first}">Anna Schmidt (anna.s@example.com)</option>' in html, path
        assert f'value="{second}">Anna Schmidt (anna.schmidt@example.com)</option>' in html, path
        assert ">Ben Berg</option>" in html, path


def test_told_apart_names_the_address_only_where_names_repeat():
    from onboarding.auth.services import told_apart

    assert told_apart([(1, "Anna", "a@x.org"), (2, "Ben", "b@x.org"), (3, "Anna", "a2@x.org")]) == [
        (1, "Anna (a@x.org)"), (2, "Ben"), (3, "Anna (a2@x.org)")]
    assert told_apart([]) == []
