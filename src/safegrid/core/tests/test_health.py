def test_healthz_and_readyz_need_no_login(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ok"


def test_every_response_carries_a_request_id(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz")["X-Request-ID"]) == 32


def test_login_and_failed_login_are_audited(client, world):
    from safegrid.core.models import AuditEntry

    client.post("/login/", {"username": "town_a", "password": "wrong-password"})
    assert AuditEntry.objects.filter(action="login_failed", object_id="town_a").exists()
