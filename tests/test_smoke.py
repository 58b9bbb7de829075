def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok"}


def test_login_page_has_contract_fields(client):
    html = client.get("/login").get_data(as_text=True)
    for name in ("email", "password", "csrf_token"):
        assert f'name="{name}"' in html
