"""The live monitoring wall end to end: the real broker, a `safegrid ingest` process and the simulator
(`safegrid simulate`, told to inject an excursion above HH) publishing ent_a's tank level; the alarm appears
live on ent_a's wall and on the county wall; ent_a acknowledges it from the wall and disposes of it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from django.conf import settings

from safegrid.monitoring.models import Alarm, MonitoringPoint
from safegrid.monitoring.tests.test_ingest_broker import Ingests, _database_env, wait_for
from tests.browser.signin import sign_in
from tests.browser.waiting import wait_until

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
CODE = "A-WALL-LT-01"
ALARM_ROW = f'[data-testid=wall-alarm-point]:has-text("{CODE}")'  # one row per point, its alarms inside
# the HH alarm of the point, as the polled partial shows it (it may show H first, then the upgrade)
HAS_ALARM = (
    "() => Array.from(document.querySelectorAll('[data-testid=wall-alarm-point]'))"
    f".some(e => e.innerText.includes('{CODE}') && e.innerText.includes('高高报'))"
)


@pytest.fixture
def broker():
    import socket

    host, port = settings.SAFEGRID_MQTT_HOST, settings.SAFEGRID_MQTT_PORT
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as exc:
        message = f"no MQTT broker answers at {host}:{port} ({exc}); start Mosquitto (deploy/mosquitto.conf)"
        if os.environ.get("SAFEGRID_REQUIRE_BROKER"):
            pytest.fail(message)
        pytest.skip(message)
    return host, port


@pytest.fixture
def ingest(broker, tmp_path, live_world):
    ingests = Ingests(broker, tmp_path)
    ingests.start(1)
    yield ingests
    ingests.stop()


def _simulate(ingests: Ingests, uscc: str, county: str, log_path) -> subprocess.Popen[bytes]:
    """The simulator on ent_a's points only, every round an excursion above HH (none of the other faults)."""
    env = {
        **os.environ,
        **_database_env(),
        "SAFEGRID_PROFILE": "test",
        "SAFEGRID_VAR_DIR": str(settings.VAR_DIR),
    }
    command = [
        sys.executable,
        "-m",
        "safegrid",
        "simulate",
        "--host",
        ingests.host,
        "--port",
        str(ingests.port),
    ]
    command += ["--topic-prefix", ingests.topic_root, "--enterprise", uscc, "--county", county]
    command += ["--rate", "2", "--duration", "120", "--hh-rate", "1", "--excursion-rate", "0"]
    command += ["--offline-rate", "0", "--duplicate-rate", "0", "--malformed-rate", "0"]
    return subprocess.Popen(command, env=env, stdout=log_path.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603


def test_excursion_reaches_both_walls_and_is_acknowledged_and_disposed(
    browser, live_server, live_world, ingest, tmp_path, shots
):
    world = live_world
    point = MonitoringPoint.objects.create(
        enterprise=world.ent_a,
        code=CODE,
        name="甲醇储罐液位（大屏测试）",
        kind="level",
        measure_unit="m",
        ll=1.0,
        l=2.0,
        h=8.0,
        hh=9.0,
        deadband=0.2,
    )
    # both walls are open before the excursion: the alarm must arrive on them without a reload
    county = browser.new_context(viewport=SIZES["desktop"], locale="zh-CN")
    county_page = sign_in(county.new_page(), live_server.url, "county_admin")
    county_page.goto(f"{live_server.url}/monitoring/wall/")
    context = browser.new_context(viewport=SIZES["desktop"], locale="zh-CN")
    page = sign_in(context.new_page(), live_server.url, "ent_a")
    page.goto(f"{live_server.url}/monitoring/wall/")
    assert page.url.endswith(f"/monitoring/wall/enterprises/{world.ent_a.pk}/")
    assert page.locator("[data-testid=wall-no-alarms]").count() == 1
    assert county_page.locator(ALARM_ROW).count() == 0

    sim_log = tmp_path / "simulate.log"
    sim = _simulate(ingest, world.ent_a.uscc, world.county.code, sim_log)
    try:
        alarm = wait_for(
            lambda: Alarm.objects.filter(point=point, severity="HH").first(),
            "the simulator's excursion above HH raised an alarm",
            lambda: ingest.logs() + "\n--- simulate\n" + sim_log.read_text(errors="ignore"),
        )
        assert isinstance(alarm, Alarm)
        wait_until(county_page, HAS_ALARM, timeout_s=20)
        row = county_page.locator(f'[data-testid=wall-alarm-point]:has([data-alarm="{alarm.pk}"])')
        assert "高高报" in row.inner_text() and world.ent_a.name in row.inner_text()
        assert "报警中" in county_page.locator("[data-testid=wall-towns]").inner_text()
        if shots:
            county_page.screenshot(path=str(shots / "monitoring-wall-county-desktop.png"), full_page=True)
        wait_until(page, HAS_ALARM, timeout_s=20)
        card = page.locator(f'[data-testid=wall-point][data-point="{CODE}"]')
        assert card.get_attribute("data-state") in ("HH", "H")
        if shots:
            page.screenshot(path=str(shots / "monitoring-wall-enterprise-desktop.png"), full_page=True)

        phone = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
        small = sign_in(phone.new_page(), live_server.url, "ent_a")
        small.goto(f"{live_server.url}/monitoring/wall/enterprises/{world.ent_a.pk}/")
        assert small.locator(f'[data-alarm="{alarm.pk}"]').count() == 1
        width = small.evaluate("document.documentElement.scrollWidth")
        assert width <= SIZES["phone"]["width"], "the wall scrolls sideways on a phone"
        if shots:
            small.screenshot(path=str(shots / "monitoring-wall-enterprise-phone.png"), full_page=True)
        phone.close()

        page.locator(f'[data-alarm="{alarm.pk}"]').locator("[data-testid=wall-acknowledge]").click()
        page.wait_for_load_state("networkidle")
        assert f"/monitoring/alarms/{alarm.pk}/" in page.url
        assert "已确认" in page.locator("[data-testid=alarm-status]").inner_text()
        dispose = page.locator("form", has=page.locator('select[name="dispose-cause"]'))
        dispose.locator('select[name="dispose-cause"]').select_option("real")
        dispose.locator('textarea[name="dispose-note"]').fill("液位高高报，已停止进料并倒罐")
        dispose.locator("button[type=submit]").click()
        page.wait_for_load_state("networkidle")
        alarm.refresh_from_db()
        assert alarm.acknowledged_by is not None and alarm.disposal_cause == "real"
        assert alarm.status in ("active_ack", "cleared_ack")

        # the county wall follows without a reload: the alarm is acknowledged there too
        wait_until(
            county_page,
            f"() => (document.querySelector('[data-alarm=\"{alarm.pk}\"]') || {{innerText: '已确认'}}).innerText.includes('已确认')",
            timeout_s=20,
        )
    finally:
        if sim.poll() is None:
            sim.send_signal(signal.SIGTERM)
        try:
            sim.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sim.kill()
