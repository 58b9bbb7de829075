"""The JSON API: tokens, answers per role, and the OpenAPI document."""
import pytest
import sqlalchemy as sa

from onboarding.api.models import ApiToken
from onboarding.api.tokens import create_token
from onboarding.auth.models import User
from onboarding.extensions import db

# (endpoint, persona) -> status. {own} is the caller's own trainee record where there is one.
API_MATRIX = {
    ("api.openapi", "anonymous"): 200,
    ("api.me", "anonymous"): 401, ("api.me", "trainee"): 200, ("api.me", "mentor"): 200, ("api.me", "head"): 200,
    ("api.trainees", "anonymous"): 401, ("api.trainees", "trainee"): 403, ("api.trainees", "mentor"): 200,
    ("api.trainees", "head"): 200, ("api.trainees", "admin"): 200,
    ("api.trainee", "anonymous"): 401, ("api.trainee", "trainee"): 200, ("api.trainee", "other_trainee"): 403,
    ("api.trainee", "mentor"): 200, ("api.trainee", "unassigned_mentor"): 403, ("api.trainee", "head"): 200,
    ("api.trainee", "admin"): 200,
}
PATHS = {"api.openapi": "/api/v1/openapi.json", "api.me": "/api/v1/me", "api.trainees": "/api/v1/trainees",
         "api.trainee": "/api/v1/trainees/{trainee}"}


@pytest.fixture
def tokens(app, make_user):
    mentor = make_user("mentor", email="mentor@example.com")
    ids = {"mentor": mentor, "unassigned_mentor": make_user("mentor"), "head": make_user("head"),
           "admin": make_user("admin"), "trainee": make_user("trainee", email="t@example.com", mentor=mentor),
           "other_trainee": make_user("trainee")}
    result = {"ids": ids}
    with app.app_context():
        for persona, uid in ids.items():
            result[persona] = create_token(db.session.get(User, uid), "test")
        db.session.commit()
    return result


def get(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(path, headers=headers)


@pytest.mark.parametrize("endpoint,persona", sorted(API_MATRIX), ids=[f"{e}-{p}" for e, p in sorted(API_MATRIX)])
def test_api_answers_by_role(client, tokens, endpoint, persona):
    path = PATHS[endpoint].format(trainee=tokens["ids"]["trainee"])
    response = get(client, path, tokens.get(persona))
    assert response.status_code == API_MATRIX[(endpoint, persona)], response.get_json()
    assert response.is_json
    if response.status_code == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_and_revoked_tokens_answer_401(app, client, tokens):
    assert get(client, "/api/v1/me", "onb_not-a-real-token-0000000000000").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    with app.app_context():
        for row in db.session.scalars(sa.select(ApiToken)):
            row.revoked_at = row.created_at
        db.session.commit()
    assert get(client, "/api/v1/me", tokens["head"]).status_code == 401


def test_tokens_are_stored_hashed(app, tokens):
    with app.app_context():
        stored = {row.token_hash for row in db.session.scalars(sa.select(ApiToken))}
    assert tokens["head"] not in stored and all(len(h) == 64 for h in stored)


def test_trainee_list_and_detail(client, tokens):
    listing = get(client, "/api/v1/trainees", tokens["head"]).get_json()
    assert listing["total"] == 2 and {i["email"] for i in listing["items"]} >= {"t@example.com"}
    mine = get(client, "/api/v1/trainees", tokens["mentor"]).get_json()
    assert [i["email"] for i in mine["items"]] == ["t@example.com"]
    detail = get(client, f"/api/v1/trainees/{tokens['ids']['trainee']}", tokens["head"]).get_json()
    assert [s["number"] for s in detail["stages"]] == [1, 2, 3, 4]
    assert detail["stages"][0]["status"] == "open" and detail["stages"][1]["status"] == "locked"
    assert detail["stages"][0]["modules"] == {"done": 0, "total": 2}
    assert {g["key"] for g in detail["gates"]} == {"stages_complete", "role_play_passed", "job_description_signed",
                                                   "supervised_work"}
    assert detail["ready"] is False and detail["role_play"]["outcome"] == "pending"
    # the list (plain columns from the stored summaries) says of a trainee what their own document says
    item = next(i for i in listing["items"] if i["id"] == tokens["ids"]["trainee"])
    assert set(item) == {"id", "email", "full_name", "status", "start_date", "target_date", "current_stage",
                         "progress_percent", "overdue", "mentor"}
    assert item == {key: detail[key] for key in item}
    assert item["mentor"]["id"] == tokens["ids"]["mentor"] and set(item["mentor"]) == {"id", "full_name", "email"}
    assert get(client, "/api/v1/trainees/987654321", tokens["head"]).status_code == 404
    assert get(client, f"/api/v1/trainees/{tokens['ids']['mentor']}", tokens["head"]).status_code == 404
    paged = get(client, "/api/v1/trainees?per_page=1&page=2", tokens["head"]).get_json()
    assert paged["per_page"] == 1 and paged["page"] == 2 and len(paged["items"]) == 1


def test_openapi_document_is_valid_and_every_path_answers_as_documented(client, tokens):
    from openapi_spec_validator import validate

    spec = client.get("/api/v1/openapi.json").get_json()
    validate(spec)
    for path, operations in spec["paths"].items():
        url = "/api/v1" + path.replace("{id}", str(tokens["ids"]["trainee"]))
        response = get(client, url, tokens["head"])
        assert str(response.status_code) in operations["get"]["responses"], path
        documented = operations["get"]["responses"][str(response.status_code)]
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:  # the body has the documented shape, types and enums included
            import jsonschema

            jsonschema.Draft202012Validator({**schema, "components": spec["components"]}).validate(
                response.get_json())
        if "security" not in operations["get"]:
            assert str(get(client, url).status_code) in operations["get"]["responses"], path


def test_create_token_command_prints_a_working_token(app, runner, client, tokens):
    result = runner.invoke(args=["create-token", "t@example.com"])
    assert result.exit_code == 0
    token = result.output.strip()
    assert token.startswith("onb_") and len(token) > 24
    assert get(client, "/api/v1/me", token).get_json()["email"] == "t@example.com"
    assert runner.invoke(args=["create-token", "nobody@example.com"]).exit_code == 1


def test_token_page_creates_shows_once_and_revokes(app, client, auth, tokens):
    auth.login("t@example.com")
    page = client.post("/account/tokens", data={"name": "HR export", "csrf_token": auth.token("/account/tokens")})
    html = page.get_data(as_text=True)
    token = html.split('<code class="token">')[1].split("</code>")[0]
    assert get(client, "/api/v1/me", token).status_code == 200
    assert token not in client.get("/account/tokens").get_data(as_text=True)
    with app.app_context():
        row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "HR export"))
    client.post(f"/account/tokens/{row.id}/revoke", data={"confirm": "1", "csrf_token": auth.token("/account/tokens")})
    assert get(client, "/api/v1/me", token).status_code == 401


def test_trainee_page_shows_the_gates(client, auth, tokens):
    from .conftest import complete_stages_before

    auth.login("mentor@example.com")
    html = client.get(f"/trainees/{tokens['ids']['trainee']}").get_data(as_text=True)
    assert "Readiness for independent work" in html
    assert "Current job description not signed" in html and "Supervised work starts when stage 4 opens" in html
    complete_stages_before(client.application, tokens["ids"]["trainee"], 4)
    html = client.get(f"/trainees/{tokens['ids']['trainee']}").get_data(as_text=True)
    assert "Supervised work: 0 of 8 weeks since" in html and "Current job description signed" in html
