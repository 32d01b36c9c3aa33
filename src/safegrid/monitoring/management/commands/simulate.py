"""`safegrid simulate`: publish realistic readings of the demo county's active monitoring points over MQTT.

One message per enterprise and round on `<topic-prefix>/<enterprise USCC>` at QoS 1, payload
`{"readings": [{"point", "ts", "value"}, …], "publisher", "seq"}`; values wander within the limits and the
excursions, offline gaps, duplicates and malformed messages of rules/simulation.py are injected at the
rates given. The demo's video channels and positioning zones send events on `<events-prefix>/<USCC>`
(rules/simulation_events.py). Stops after --duration seconds (0: until interrupted) and prints what it sent.
"""

from __future__ import annotations

import os
import signal
import socket
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from safegrid.monitoring.models import EventSource, MonitoringPoint
from safegrid.monitoring.rules.points import EVENT_KINDS, PointKind
from safegrid.monitoring.rules.simulation import Rates, SimPoint, Simulator
from safegrid.monitoring.rules.simulation_events import EventSimulator, SimSource

TOPIC_PREFIX = "safegrid/readings"


def load_points(county_code: str, enterprises: list[str]) -> list[SimPoint]:
    """The active points of the county (or of the enterprises named by USCC or id), in a stable order."""
    qs = MonitoringPoint.objects.filter(
        active=True, enterprise__division__code__startswith=county_code
    ).exclude(kind__in=[str(k) for k in EVENT_KINDS])
    if enterprises:
        ids = [int(e) for e in enterprises if e.isdigit() and len(e) < 18]
        usccs = [e.upper() for e in enterprises if not (e.isdigit() and len(e) < 18)]
        qs = qs.filter(enterprise__uscc__in=usccs) | qs.filter(enterprise_id__in=ids)
    rows = qs.order_by("enterprise_id", "code").values_list(
        "enterprise__uscc", "code", "kind", "ll", "l", "h", "hh", "offline_timeout_s"
    )
    return [
        SimPoint(uscc, code, PointKind(kind), ll, lo, h, hh, timeout)
        for uscc, code, kind, ll, lo, h, hh, timeout in rows
    ]


def load_sources(county_code: str, enterprises: list[str]) -> list[SimSource]:
    """The active video channels and positioning zones of the county (or of the enterprises named)."""
    qs = EventSource.objects.filter(point__active=True, enterprise__division__code__startswith=county_code)
    if enterprises:
        ids = [int(e) for e in enterprises if e.isdigit() and len(e) < 18]
        usccs = [e.upper() for e in enterprises if not (e.isdigit() and len(e) < 18)]
        qs = qs.filter(enterprise__uscc__in=usccs) | qs.filter(enterprise_id__in=ids)
    rows = qs.order_by("enterprise_id", "point__code").values_list(
        "enterprise__uscc", "point__code", "point__kind", "rated_headcount", "motionless_seconds"
    )
    return [SimSource(uscc, code, PointKind(kind), rated, still) for uscc, code, kind, rated, still in rows]


class Command(BaseCommand):
    help = "Publish simulated monitoring readings of the demo county's active points over MQTT (QoS 1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("SAFEGRID_MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAFEGRID_MQTT_PORT", "1883")))
        parser.add_argument(
            "--rate", type=float, default=1.0, help="rounds per second (one message per enterprise per round)"
        )
        parser.add_argument(
            "--duration", type=float, default=0.0, help="seconds to run; 0 runs until interrupted"
        )
        parser.add_argument(
            "--enterprise", action="append", default=[], help="USCC or id; repeatable (default: all)"
        )
        parser.add_argument(
            "--county", default=settings.SAFEGRID_COUNTY_CODE, help="division code prefix of the points"
        )
        parser.add_argument("--topic-prefix", default=TOPIC_PREFIX)
        parser.add_argument(
            "--events-prefix",
            default=settings.SAFEGRID_MQTT_EVENTS_TOPIC_ROOT,
            help="video and positioning events go to <prefix>/<USCC> (empty: no events)",
        )
        parser.add_argument(
            "--publisher", default="", help="publisher id in the payload (default sim-<host>-<pid>)"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--excursion-rate", type=float, default=Rates.excursion_h, help="above H, per point and round"
        )
        parser.add_argument(
            "--hh-rate", type=float, default=Rates.excursion_hh, help="above HH, per point and round"
        )
        parser.add_argument(
            "--offline-rate", type=float, default=Rates.offline, help="offline gap, per point and round"
        )
        parser.add_argument("--duplicate-rate", type=float, default=Rates.duplicate, help="per message")
        parser.add_argument(
            "--malformed-rate", type=float, default=Rates.malformed, help="per enterprise and round"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import paho.mqtt.client as mqtt

        if options["rate"] <= 0:
            raise CommandError("--rate must be positive")
        points = load_points(options["county"], options["enterprise"])
        if not points:
            raise CommandError("没有在用的监测点位（先运行 safegrid demo）/ no active monitoring points")
        publisher = options["publisher"] or f"sim-{socket.gethostname()}-{os.getpid()}"
        rates = Rates(
            excursion_h=options["excursion_rate"],
            excursion_hh=options["hh_rate"],
            offline=options["offline_rate"],
            duplicate=options["duplicate_rate"],
            malformed=options["malformed_rate"],
        )
        sim = Simulator(points, publisher, seed=options["seed"], rates=rates)
        events_prefix = options["events_prefix"].strip("/")
        sources = load_sources(options["county"], options["enterprise"]) if events_prefix else []
        event_sim = EventSimulator(sources, seed=options["seed"])
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=publisher, clean_session=True)
        client.max_queued_messages_set(0)
        try:
            client.connect(options["host"], options["port"], keepalive=30)
        except OSError as exc:
            raise CommandError(f"MQTT broker {options['host']}:{options['port']} unreachable: {exc}") from exc
        client.loop_start()
        stop = {"now": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
        self.stdout.write(
            f"simulate: {len(points)} points of {len(sim.by_enterprise)} enterprises → "
            f"{options['host']}:{options['port']} {options['topic_prefix']}/<USCC>, publisher {publisher}"
        )
        period = 1.0 / options["rate"]
        started = time.monotonic()
        last = started
        pending = []
        try:
            while not stop["now"]:
                now = time.monotonic()
                if options["duration"] and now - started >= options["duration"]:
                    break
                for message in sim.tick(int(time.time() * 1000), now - last if now > last else period):
                    info = client.publish(
                        f"{options['topic_prefix']}/{message.enterprise}", message.payload, qos=1
                    )
                    pending.append(info)
                for event_message in event_sim.tick(
                    int(time.time() * 1000), now - last if now > last else period
                ):
                    info = client.publish(
                        f"{events_prefix}/{event_message.enterprise}", event_message.payload, qos=1
                    )
                    pending.append(info)
                last = now
                pending = [p for p in pending if not p.is_published()]
                time.sleep(max(0.0, period - (time.monotonic() - now)))
        except KeyboardInterrupt:
            pass
        finally:
            deadline = time.monotonic() + 10
            for info in pending:
                info.wait_for_publish(timeout=max(0.0, deadline - time.monotonic()))
            client.loop_stop()
            client.disconnect()
        c = sim.counters
        self.stdout.write(
            f"sent {c.messages} messages ({c.readings} readings, last seq {sim.seq}), duplicates {c.duplicates}, "
            f"malformed {c.malformed}, excursions above H {c.excursions_h}, above HH {c.excursions_hh}, "
            f"offline gaps {c.offline_gaps}; {event_sim.sent} events of {len(sources)} video/positioning sources"
        )
