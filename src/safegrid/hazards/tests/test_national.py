"""The national format end to end: an enterprise exported, imported into an empty one and exported again
equal; a re-import changes nothing; an orphan child refuses the whole payload by path; scope and roles."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from django.utils import timezone

from safegrid.core import tokens
from safegrid.core.choices import Role
from safegrid.core.testing import SYSTEM, make_user
from safegrid.enterprises import services as ent_services
from safegrid.enterprises.models import OrgUnit
from safegrid.enterprises.rules import make_uscc
from safegrid.hazards import inspections, services
from safegrid.hazards.models import HiddenHazard, NationalLink, TaskOccurrence
from safegrid.hazards.national import importer
from safegrid.jobs.models import Job
from safegrid.jobs.testing import run_queued
from safegrid.regions.models import Sector
from safegrid.risks.models import RiskPoint
from safegrid.risks.services import points as risk_services
from safegrid.risks.tests.factories import make_factor, make_measure, make_point

from .factories import photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def bearer(world):
    def _bearer(user) -> dict[str, str]:
        user = world.user(user) if isinstance(user, str) else user
        raw, _ = tokens.token_issue(actor=SYSTEM, user=user, name="test")
        return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    return _bearer


@pytest.fixture
def register_a(world):
    """ent_a: a point with an assessed factor, an inspected measure and its task, a check with a finding,
    a hazard found by it, one fixed on the spot with both photos, and a shutdown."""
    manager = world.user("ent_a")
    point = make_point(world)
    factor = make_factor(point)
    risk_services.assess(actor=manager, factor=factor, kind="initial", method="LS", inputs={"L": 4, "S": 5})
    measure = make_measure(world, point, hazard_factor=factor, check_cycle=1, check_cycle_unit="天")
    inspections.tasks_sync_from_measures(enterprise_ids=[world.ent_a.pk])
    inspections.occurrences_generate(day=timezone.localdate())
    occurrence = TaskOccurrence.objects.filter(task__measure=measure).order_by("window_start").first()
    record = inspections.check_record(
        actor=world.user("post_a"),
        occurrence=occurrence,
        check=inspections.CheckIn(
            {"联锁投用状态、仪表示值是否正常": False},
            "finding",
            hazard={"title": "联锁旁路未恢复", "description": "温度联锁处于旁路", "hazard_type": 4},
        ),
    )
    found = HiddenHazard.objects.get(check_record=record)
    services.hazard_fix_on_spot(
        actor=manager,
        enterprise=world.ent_a,
        data={"title": "消防通道堆放杂物", "location": "罐区", "description": "通道堆放纸箱", "source": 1,
              "hazard_type": 5},
        measures="当场清理",
        before=[photo("before", "red")],
        after=[photo("after", "green")],
    )  # fmt: skip
    inspections.shutdown_record(
        actor=manager,
        enterprise=world.ent_a,
        start=timezone.now() - dt.timedelta(days=3),
        end=timezone.now() - dt.timedelta(days=1),
        reason="年度检修",
        risk_point=point,
    )
    return {"point": point, "factor": factor, "measure": measure, "record": record, "hazard": found}


@pytest.fixture
def empty(world):
    """A new enterprise with only its organisation (a post) and a safety manager."""
    enterprise = ent_services.enterprise_create(
        actor=SYSTEM,
        data={"name": "丙化工有限公司", "uscc": make_uscc("91370321MA3C00003"), "division": world.village_a,
              "legal_rep": "赵丙", "hazchem_code": "370321003"},
        sectors=[Sector.objects.get(code="hazardous_chemicals")],
    )  # fmt: skip
    unit = OrgUnit.objects.get(enterprise=enterprise, parent__isnull=True)
    for kind, name in (("workshop", "丙车间"), ("team", "丙班"), ("post", "丙岗")):
        unit = ent_services.org_unit_create(actor=SYSTEM, enterprise=enterprise, parent=unit,
                                            data={"kind": kind, "name": name})  # fmt: skip
    user = make_user("ent_c", {"role": Role.SAFETY_MANAGER, "enterprise": enterprise})
    return enterprise, user


def _export(client, headers, enterprise_id: int, profile: str = "national"):
    return client.get(f"/api/v1/national/{profile}/export?enterprise={enterprise_id}", **headers)


def _import(client, headers, enterprise_id: int, payload, profile: str = "national", key: str = ""):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(
        f"/api/v1/national/{profile}/import?enterprise={enterprise_id}",
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
        **extra,
    )


def _rebrand(payload: dict, code: str) -> dict:
    out = copy.deepcopy(payload)
    for rows in out.values():
        for row in rows:
            row["companyCode"] = code
    return out


@pytest.mark.parametrize("profile", ["national", "hazchem"])
def test_round_trip_into_an_empty_enterprise(world, client, bearer, register_a, empty, profile) -> None:
    if profile == "hazchem":
        ent_services.enterprise_update(
            actor=SYSTEM, enterprise=world.ent_a, data={"hazchem_code": "370321001"}
        )
    got = _export(client, bearer("ent_a"), world.ent_a.pk, profile)
    assert got.status_code == 200, got.content
    payload = got.json()
    counts = {k: len(v) for k, v in payload.items()}
    assert counts == {"units": 1, "events": 1, "measures": 1, "tasks": 1, "records": 1, "hazards": 2,
                      "shutdowns": 1}  # fmt: skip
    spot = next(h for h in payload["hazards"] if h["dangerManageType"] == 0)
    assert spot["dangerState"] == 9 and len(spot["attachments1"]) == 1 and len(spot["attachments2"]) == 1
    event = payload["events"][0]
    assert event["initialRiskLevel"] == (0 if profile == "national" else 1)  # LS 4×5 = 20: major

    target, manager = empty
    code = target.uscc if profile == "national" else target.hazchem_code
    sent = _rebrand(payload, code)
    done = _import(client, bearer(manager), target.pk, sent, profile, key="round-trip-1")
    assert done.status_code == 200, done.content
    assert done.json()["created"] == counts

    again = _export(client, bearer(manager), target.pk, profile).json()
    assert again == sent

    # a retry with the same Idempotency-Key replays the first answer (the API base), writing nothing
    replay = _import(client, bearer(manager), target.pk, sent, profile, key="round-trip-1")
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == done.json()

    # a second import of the same payload writes nothing new
    second = _import(client, bearer(manager), target.pk, sent, profile)
    assert second.status_code == 200, second.content
    assert sum(second.json()["created"].values()) == 0
    assert second.json()["unchanged"] == counts
    assert RiskPoint.objects.filter(enterprise=target).count() == 1
    assert HiddenHazard.objects.filter(enterprise=target).count() == 2


def test_reimport_into_the_source_updates_in_place(world, client, bearer, register_a) -> None:
    payload = _export(client, bearer("ent_a"), world.ent_a.pk).json()
    payload["units"][0]["riskUnitName"] = "氯乙烯合成反应釜（改）"
    payload["units"][0]["hazardCode"] = "370321-WXY-01"
    done = _import(client, bearer("ent_a"), world.ent_a.pk, payload)
    assert done.status_code == 200, done.content
    assert done.json()["updated"]["units"] == 1 and sum(done.json()["created"].values()) == 0
    register_a["point"].refresh_from_db()
    assert register_a["point"].name == "氯乙烯合成反应釜（改）"
    assert (
        _export(client, bearer("ent_a"), world.ent_a.pk).json()["units"][0]["hazardCode"] == "370321-WXY-01"
    )


def test_orphan_child_refuses_everything(world, client, bearer, register_a, empty) -> None:
    payload = _export(client, bearer("ent_a"), world.ent_a.pk).json()
    target, manager = empty
    sent = _rebrand(payload, target.uscc)
    sent["hazards"][0]["riskMeasureId"] = "00000000-0000-0000-0000-00000000dead"
    got = _import(client, bearer(manager), target.pk, sent)
    assert got.status_code == 422
    fields = got.json()["error"]["fields"]
    assert list(fields) == ["hazards[0].riskMeasureId"]
    assert "unknown parent id" in fields["hazards[0].riskMeasureId"][0]
    assert not RiskPoint.objects.filter(enterprise=target).exists()
    assert not NationalLink.objects.filter(enterprise=target).exists()


def test_another_enterprises_parent_is_unknown(world, client, bearer, register_a, empty) -> None:
    """ent_a's ids are known in ent_a only: naming them from another enterprise is an orphan."""
    payload = _export(client, bearer("ent_a"), world.ent_a.pk).json()
    target, manager = empty
    child = _rebrand({"events": payload["events"]}, target.uscc)
    got = _import(client, bearer(manager), target.pk, child)
    assert got.status_code == 422
    assert "events[0].riskUnitId" in got.json()["error"]["fields"]


def test_bad_photo_and_missing_post_are_named(world, client, bearer, register_a, empty) -> None:
    payload = _export(client, bearer("ent_a"), world.ent_a.pk).json()
    target, manager = empty
    OrgUnit.objects.filter(enterprise=target, kind="post").update(kind="team")
    sent = _rebrand(payload, target.uscc)
    spot = next(i for i, h in enumerate(sent["hazards"]) if h["attachments1"])
    sent["hazards"][spot]["attachments1"] = ["bm90IGFuIGltYWdl"]
    got = _import(client, bearer(manager), target.pk, sent)
    assert got.status_code == 422
    assert f"hazards[{spot}].attachments1[0]" in got.json()["error"]["fields"]
    del sent["hazards"]
    got = _import(client, bearer(manager), target.pk, sent)
    assert got.status_code == 422
    assert list(got.json()["error"]["fields"]) == ["measures[0].riskEventId"]
    assert not RiskPoint.objects.filter(enterprise=target).exists()


def test_scope_and_roles(world, client, bearer, register_a) -> None:
    assert _export(client, bearer("ent_a"), world.ent_b.pk).status_code == 404
    assert _export(client, bearer("town_b"), world.ent_a.pk).status_code == 404
    assert _export(client, bearer("post_a"), world.ent_a.pk).status_code == 403
    assert _export(client, bearer("town_a"), world.ent_a.pk).status_code == 200
    assert _export(client, bearer("ent_a"), world.ent_a.pk, "nowhere").status_code == 404
    payload = _export(client, bearer("ent_a"), world.ent_a.pk).json()
    assert _import(client, bearer("town_a"), world.ent_a.pk, payload).status_code == 403
    assert _import(client, bearer("ent_a"), world.ent_b.pk, payload).status_code == 404


def test_hazchem_target_needs_the_registration_code(world, client, bearer, register_a) -> None:
    got = _export(client, bearer("ent_a"), world.ent_a.pk, "hazchem")
    assert got.status_code == 422
    assert "hazchem_code" in got.json()["error"]["fields"]


def test_page_download_and_upload(world, client, register_a, empty) -> None:
    client.force_login(world.user("ent_a"))
    page = client.get(f"/hazards/national/{world.ent_a.pk}/")
    assert page.status_code == 200
    queued = client.post(
        f"/hazards/national/{world.ent_a.pk}/export/", {"profile": "national", "format": "zip"}
    )
    assert queued.status_code == 302
    run_queued("hazards.national_export")
    job = Job.objects.get(kind="hazards.national_export")
    assert job.status == "succeeded", job.error
    shown = client.get(queued["Location"])
    assert job.result["url"] in shown.content.decode()
    got = client.get(job.result["url"])
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    client.force_login(world.user("post_a"))
    assert client.get(job.result["url"]).status_code == 404  # not their job
    client.force_login(world.user("ent_a"))
    target, manager = empty
    # the zip carries photos as files; rebrand its JSON for the empty enterprise
    import io
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(got.content))
    data = _rebrand(json.loads(source.read("national.json")), target.uscc)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in source.namelist():
            z.writestr(name, json.dumps(data) if name == "national.json" else source.read(name))
    out.seek(0)
    out.name = "national.zip"
    client.force_login(manager)
    done = client.post(f"/hazards/national/{target.pk}/import/", {"profile": "national", "file": out})
    assert done.status_code == 200
    assert HiddenHazard.objects.filter(enterprise=target).count() == 2
    assert HiddenHazard.objects.get(enterprise=target, handling="on_the_spot").photos.count() == 2
    bad = io.BytesIO(json.dumps({"hazards": [{"id": "x"}]}).encode())
    bad.name = "bad.json"
    refused = client.post(f"/hazards/national/{target.pk}/import/", {"profile": "national", "file": bad})
    assert refused.status_code == 422
    assert "hazards[0].companyCode" in refused.content.decode()


def test_service_refuses_a_non_manager(world, register_a) -> None:
    from django.core.exceptions import PermissionDenied

    from safegrid.hazards.national.profiles import profile_get

    with pytest.raises(PermissionDenied):
        importer.national_import(
            actor=world.user("town_a"), enterprise=world.ent_a, profile=profile_get("national"), payload={}
        )


def test_hazchem_code_validated_and_unique(world, empty) -> None:
    from django.core.exceptions import ValidationError

    target, _manager = empty
    with pytest.raises(ValidationError) as bad:
        ent_services.enterprise_update(actor=SYSTEM, enterprise=world.ent_a, data={"hazchem_code": "3703"})
    assert "hazchem_code" in bad.value.message_dict
    with pytest.raises(ValidationError) as taken:
        ent_services.enterprise_update(
            actor=SYSTEM, enterprise=world.ent_a, data={"hazchem_code": target.hazchem_code}
        )
    assert taken.value.message_dict
    ent_services.enterprise_update(
        actor=SYSTEM, enterprise=world.ent_b, data={"hazchem_code": ""}
    )  # blank: many
