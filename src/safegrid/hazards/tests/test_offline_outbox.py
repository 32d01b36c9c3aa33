"""The phone's offline outbox against the two form pages it posts to (the check form, the hazard report):
a stored form sent again with its Idempotency-Key is recorded once, whatever the multipart boundary or CSRF
token of the resend; the phone's time is kept beside the server's; a refused form keeps no key; a signed-out
resend is told so (401) instead of being redirected to the sign-in page."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.middleware.csrf import _mask_cipher_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safegrid.api.models import IdempotencyKey
from safegrid.core.models import AuditEntry
from safegrid.hazards import inspections
from safegrid.hazards.choices import OccurrenceStatus
from safegrid.hazards.models import CheckRecord, HazardPhoto, HiddenHazard, TaskOccurrence
from safegrid.hazards.tests.factories import jpeg
from safegrid.risks.tests.factories import make_measure, make_point

pytestmark = pytest.mark.django_db

# The phone's clock when the worker pressed "submit", two hours before it could send.
DEVICE_TIME = "2026-03-02T08:15:00+08:00"


@pytest.fixture
def occ(world: Any) -> TaskOccurrence:
    point = make_point(world)
    make_measure(world, point, check_content="液位正常\n阀门无泄漏", check_cycle=1, check_cycle_unit="天")
    inspections.occurrences_generate(day=timezone.localdate())
    return TaskOccurrence.objects.get()


def _check_form(**extra: Any) -> dict[str, Any]:
    return {
        "item_0": "on",
        "item_1": "on",
        "result": "ok",
        "note": "液位正常",
        "device_time": DEVICE_TIME,
        "device_id": "phone-1",
        "photo": SimpleUploadedFile("site.jpg", jpeg(), content_type="image/jpeg"),
        **extra,
    }


def _csrf_client(user: Any) -> Client:
    """A client that enforces CSRF like the browser's: the outbox sends the token as X-CSRFToken."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.get(reverse("hazards:my_checks"))  # sets the csrftoken cookie, as any page does
    return client


def _post(client: Client, url: str, data: dict[str, Any], key: str) -> Any:
    token = client.cookies["csrftoken"].value
    return client.post(url, data, headers={"Idempotency-Key": key, "X-CSRFToken": token})


def test_a_resent_check_is_recorded_once_and_keeps_both_times(world: Any, occ: TaskOccurrence) -> None:
    client = _csrf_client(world.user("post_a"))
    url, key = reverse("hazards:check", args=[occ.pk]), str(uuid.uuid4())
    before = timezone.now()

    first = _post(client, url, _check_form(), key)
    assert first.status_code == 302 and first["Location"] == reverse("hazards:my_checks")
    assert "Idempotent-Replayed" not in first

    # The answer was lost on the way: the outbox sends the same stored form again (a new multipart
    # body, the old page's CSRF field) — the first answer is replayed and nothing is written again.
    older_page_token = _mask_cipher_secret(client.cookies["csrftoken"].value)  # another mask, same secret
    again = _post(client, url, _check_form(csrfmiddlewaretoken=older_page_token), key)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true"

    record = CheckRecord.objects.get()
    assert CheckRecord.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="hazards.checkrecord").count() == 1
    assert record.device_time == dt.datetime.fromisoformat(DEVICE_TIME)
    assert record.server_time >= before and record.server_time != record.device_time
    assert record.photo_sha256 and record.device_id == "phone-1"
    occ.refresh_from_db()
    assert occ.status == OccurrenceStatus.DONE and occ.device_time == record.device_time
    assert IdempotencyKey.objects.get(key=key).location == reverse("hazards:my_checks")


def test_the_same_key_for_another_form_is_refused(world: Any, occ: TaskOccurrence) -> None:
    client = _csrf_client(world.user("post_a"))
    url, key = reverse("hazards:check", args=[occ.pk]), str(uuid.uuid4())
    assert _post(client, url, _check_form(), key).status_code == 302
    other = _post(client, url, _check_form(note="另一份记录"), key)
    assert other.status_code == 422
    assert other.json()["error"]["fields"] == {"Idempotency-Key": [other.json()["error"]["message"]]}
    # A different photo is a different form too (files compare by content, not by name and size).
    out = _post(client, url, _check_form(photo=SimpleUploadedFile("site.jpg", jpeg("blue"))), key)
    assert out.status_code == 422 and CheckRecord.objects.count() == 1


def test_a_refused_form_keeps_no_key_and_can_be_sent_again_fixed(world: Any, occ: TaskOccurrence) -> None:
    client = _csrf_client(world.user("post_a"))
    url, key = reverse("hazards:check", args=[occ.pk]), str(uuid.uuid4())
    refused = _post(client, url, _check_form(item_1="", result="ok"), key)  # a failed item without a finding
    assert refused.status_code == 422 and not IdempotencyKey.objects.exists()
    assert not CheckRecord.objects.exists()
    assert _post(client, url, _check_form(), key).status_code == 302
    assert CheckRecord.objects.count() == 1


def test_a_check_already_done_elsewhere_is_refused_not_duplicated(world: Any, occ: TaskOccurrence) -> None:
    """Two phones checked the same occurrence offline: the second to arrive is told why (422)."""
    client = _csrf_client(world.user("post_a"))
    url = reverse("hazards:check", args=[occ.pk])
    assert _post(client, url, _check_form(), str(uuid.uuid4())).status_code == 302
    late = _post(client, url, _check_form(note="第二部手机"), str(uuid.uuid4()))
    assert late.status_code == 422 and CheckRecord.objects.count() == 1
    assert "该检查已完成，不能重复提交" in late.content.decode()
    assert not IdempotencyKey.objects.filter(status_code=422).exists()


def test_signed_out_resend_is_401_not_the_sign_in_page(world: Any, occ: TaskOccurrence) -> None:
    client = Client()
    url = reverse("hazards:check", args=[occ.pk])
    answer = client.post(url, _check_form(), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthorized"
    plain = Client().post(url, _check_form())  # an ordinary form post keeps the sign-in redirect
    assert plain.status_code == 302 and reverse("login") in plain["Location"]
    assert not CheckRecord.objects.exists()


def test_a_malformed_key_is_refused(world: Any, occ: TaskOccurrence) -> None:
    client = _csrf_client(world.user("post_a"))
    answer = _post(client, reverse("hazards:check", args=[occ.pk]), _check_form(), "short")
    assert answer.status_code == 422 and "Idempotency-Key" in answer.json()["error"]["fields"]
    assert not CheckRecord.objects.exists()


def test_keys_belong_to_a_user(world: Any, occ: TaskOccurrence) -> None:
    """grid_a's equal key is another key: it runs (and is refused on its own merits: done already)."""
    key = str(uuid.uuid4())
    url = reverse("hazards:check", args=[occ.pk])
    assert _post(_csrf_client(world.user("post_a")), url, _check_form(), key).status_code == 302
    other = _post(_csrf_client(world.user("grid_a")), url, _check_form(), key)
    assert "Idempotent-Replayed" not in other and CheckRecord.objects.count() == 1


def _report_form(world: Any, **extra: Any) -> dict[str, Any]:
    return {
        "enterprise": world.ent_a.pk,
        "title": "储罐区围堰破损",
        "location": "罐区东侧",
        "description": "围堰有裂缝，泄漏时不能围住物料",
        "source": "1",
        "hazard_type": "1",
        "device_time": DEVICE_TIME,
        "photos": [SimpleUploadedFile("dike.jpg", jpeg("gray"), content_type="image/jpeg")],
        **extra,
    }


def test_a_resent_hazard_report_is_registered_once_with_the_photo_times(world: Any) -> None:
    client = _csrf_client(world.user("grid_a"))
    url, key = reverse("hazards:report"), str(uuid.uuid4())
    first = _post(client, url, _report_form(world), key)
    assert first.status_code == 302
    hazard = HiddenHazard.objects.get()
    assert first["Location"] == reverse("hazards:detail", args=[hazard.pk])

    again = _post(client, url, _report_form(world), key)
    assert again.status_code == 302 and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert HiddenHazard.objects.count() == 1 and HazardPhoto.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="hazards.hiddenhazard", action="create").count() == 1

    photo = HazardPhoto.objects.get()
    assert photo.device_time == dt.datetime.fromisoformat(DEVICE_TIME)
    assert photo.server_time > photo.device_time


def test_an_ordinary_report_without_a_key_still_works(world: Any, login: Any) -> None:
    client = login(world.user("grid_a"))
    data = _report_form(world)
    del data["device_time"]
    assert client.post(reverse("hazards:report"), data).status_code == 302
    assert HazardPhoto.objects.get().device_time is None
    assert not IdempotencyKey.objects.exists()


def test_the_pages_mark_the_outbox_forms_and_the_rows_to_keep(
    world: Any, login: Any, occ: TaskOccurrence
) -> None:
    client = login(world.user("post_a"))
    due = client.get(reverse("hazards:my_checks")).content.decode()
    assert f'data-offline-ref="occurrence:{occ.pk}"' in due and "data-offline-warm" in due
    check = client.get(reverse("hazards:check", args=[occ.pk])).content.decode()
    assert "data-offline-outbox" in check and f'data-offline-ref="occurrence:{occ.pk}"' in check
    report = login(world.user("grid_a")).get(reverse("hazards:report")).content.decode()
    assert "data-offline-outbox" in report and 'name="device_time"' in report
