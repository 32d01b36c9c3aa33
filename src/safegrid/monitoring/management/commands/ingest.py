"""`safegrid ingest`: takes monitoring readings from the MQTT broker into the database (docs/monitoring.md).

Run several (on several machines) with the same group: the broker's shared subscription splits the stream.
Give each process its own stable client id (`--client-id`): the broker keeps that session's unacknowledged
messages for it while it is away. SIGTERM/SIGINT write what was received, acknowledge it, then exit.
"""

from __future__ import annotations

import logging
import signal
import socket
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.urls import reverse

from safegrid.monitoring import alarm_engine
from safegrid.monitoring.ingest import collector
from safegrid.monitoring.ingest.mqtt import Ingest, Options
from safegrid.monitoring.ingest.pipeline import Pipeline
from safegrid.monitoring.services.events import events_from_mqtt

log = logging.getLogger("safegrid.monitoring.ingest")


class Command(BaseCommand):
    help = "Take monitoring readings from MQTT (QoS 1, shared subscription) into the database"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=settings.SAFEGRID_MQTT_HOST, help="Broker host")
        parser.add_argument("--port", type=int, default=settings.SAFEGRID_MQTT_PORT, help="Broker port")
        parser.add_argument("--group", default=settings.SAFEGRID_MQTT_GROUP, help="Shared subscription group")
        parser.add_argument(
            "--client-id",
            default=settings.SAFEGRID_MQTT_CLIENT_ID,
            help="Stable MQTT client id of this process (default: <group>-<host name>)",
        )
        parser.add_argument(
            "--topic-root", default=settings.SAFEGRID_MQTT_TOPIC_ROOT, help="Topics are <root>/<USCC>"
        )
        parser.add_argument(
            "--events-root",
            default=settings.SAFEGRID_MQTT_EVENTS_TOPIC_ROOT,
            help="Video and positioning events are <root>/<USCC> (empty: not subscribed)",
        )
        parser.add_argument("--stats", type=float, default=10.0, help="Seconds between counter log lines")

    def handle(self, *args: Any, **options: Any) -> None:
        client_id = options["client_id"] or f"{options['group']}-{socket.gethostname()}"
        ingest = Ingest(
            Options(
                host=options["host"],
                port=options["port"],
                group=options["group"],
                client_id=client_id,
                topic_root=options["topic_root"].strip("/"),
                username=settings.SAFEGRID_MQTT_USERNAME,
                password=settings.SAFEGRID_MQTT_PASSWORD,
                session_expiry_s=settings.SAFEGRID_MQTT_SESSION_EXPIRY_S,
                stats_every_s=options["stats"],
                events_root=options["events_root"].strip("/"),
                events_held=settings.SAFEGRID_INGEST_EVENTS_HELD,
                receive_maximum=settings.SAFEGRID_MQTT_RECEIVE_MAXIMUM,
            ),
            Pipeline(spill_dir=Path(settings.SAFEGRID_INGEST_SPILL_DIR) / client_id),
            events=events_from_mqtt,
        )

        def stop(signum: int, frame: object) -> None:
            ingest.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self._load_points(ingest)
        if ingest.stopping.is_set():
            return
        # What the first alarm would otherwise load while readings wait: its notification links to the
        # alarm's page, and the first reverse() imports every app's URLconf and the API's schemas (~1 s here).
        reverse("monitoring:alarm_detail", args=[1])
        tuned = collector.tune(settings.SAFEGRID_INGEST_GC_GEN0)
        if tuned:
            log.info("collector: %d start-up objects frozen, thresholds %s", tuned.frozen, tuned.thresholds)
        ingest.start()
        try:
            ingest.run()
        finally:
            ingest.close()

    def _load_points(self, ingest: Ingest) -> None:
        """The point directory and the alarm engine's points before subscribing: while the database is away,
        wait (nothing is taken from the broker yet, so nothing waits unwritten)."""
        delay = 1.0
        while not ingest.stopping.is_set():
            try:
                directory = ingest.pipeline.directory
                directory.load()
                ids = [ref.point_id for ref in directory.points.values() if ref.active]
                log.info("alarm engine: %d points loaded", alarm_engine.engine().preload(ids))
                return
            except DatabaseError as exc:
                connection.close()
                log.warning("database unreachable (%s); trying again in %.0f s", exc, delay)
                ingest.stopping.wait(delay)
                delay = min(30.0, delay * 2)
