"""`safegrid broker`: the MQTT broker of the demo (`make run`).

safegrid broker            use the broker answering on SAFEGRID_MQTT_HOST:PORT, or run Mosquitto there
                           with deploy/mosquitto.conf (port and persistence adapted, under the var dir)
safegrid broker --check    exit 0 when a broker answers, 1 when none does
safegrid broker --wait 10  wait up to 10 s for one to answer (exit 1 if none does)
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safegrid.monitoring import broker


class Command(BaseCommand):
    help = "Use the MQTT broker on the configured port, or start Mosquitto with the shipped configuration"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=settings.SAFEGRID_MQTT_HOST)
        parser.add_argument("--port", type=int, default=settings.SAFEGRID_MQTT_PORT)
        parser.add_argument("--check", action="store_true", help="only tell whether a broker answers")
        parser.add_argument("--wait", type=float, default=None, help="seconds to wait for a broker to answer")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if options["check"] or options["wait"] is not None:
            if broker.wait_until_answers(host, port, options["wait"] or 0):
                return
            raise CommandError(f"no MQTT broker answers on {host}:{port}", returncode=1)
        if broker.answers(host, port):
            self.stdout.write(f"MQTT broker: using the one already answering on {host}:{port}")
            return
        binary = broker.mosquitto_binary()
        if binary is None:
            raise CommandError(
                f"no MQTT broker answers on {host}:{port} and Mosquitto is not installed "
                "(apt-get install mosquitto); the ingest needs MQTT 5 with shared subscriptions",
                returncode=3,
            )
        conf = broker.write_config(settings.VAR_DIR, host=host, port=port)
        self.stdout.write(
            f"MQTT broker: starting Mosquitto on {host}:{port} ({conf}, from deploy/mosquitto.conf)"
        )
        self.stdout.flush()
        # exec: the broker takes this process's id, so `make run`'s trap stops it with a signal
        os.execv(binary, [binary, "-c", str(conf)])  # noqa: S606 - a fixed binary and our own config
