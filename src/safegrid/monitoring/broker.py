"""The demo's MQTT broker (`safegrid broker`, started by `make run`): use the broker that answers on the
configured port, or start Mosquitto with the shipped configuration (deploy/mosquitto.conf, only the
listener and the persistence directory changed, under the var directory).

No embedded Python broker: `safegrid ingest` speaks MQTT 5 with a shared subscription ($share/…), and the
pure-Python brokers on the package index (amqtt 0.12, hbmqtt) speak MQTT 3.1.1 only, without shared
subscriptions, so the ingest could not connect to them. Mosquitto is one `apt-get install mosquitto` away.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import time
from pathlib import Path

SHIPPED_CONFIG = Path(__file__).resolve().parents[3] / "deploy" / "mosquitto.conf"


def answers(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError:
        return False
    return True


def wait_until_answers(host: str, port: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        if answers(host, port):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def adapt_config(shipped: str, *, host: str, port: int, data_dir: Path) -> str:
    """The shipped configuration with its listener on host:port and its persistence under data_dir."""
    lines = []
    for line in shipped.splitlines():
        if line.startswith("listener "):
            line = f"listener {port} {host}"
        elif line.startswith("persistence_location "):
            line = f"persistence_location {data_dir}/"
        lines.append(line)
    return "\n".join(lines) + "\n"


def mosquitto_binary() -> str | None:
    return shutil.which("mosquitto") or next(
        (str(p) for p in (Path("/usr/sbin/mosquitto"), Path("/usr/local/sbin/mosquitto")) if p.exists()), None
    )


def write_config(var_dir: Path, *, host: str, port: int) -> Path:
    data_dir = var_dir / "mosquitto"
    data_dir.mkdir(parents=True, exist_ok=True)
    conf = data_dir / "mosquitto.conf"
    conf.write_text(adapt_config(SHIPPED_CONFIG.read_text(), host=host, port=port, data_dir=data_dir))
    if os.geteuid() == 0:
        # started as root, Mosquitto drops to its own user, which must be able to save its state here
        try:
            owner = pwd.getpwnam("mosquitto")
        except KeyError:
            return conf
        for path in (data_dir, *data_dir.iterdir()):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    return conf
