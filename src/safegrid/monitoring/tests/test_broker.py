"""`safegrid broker`: the shipped Mosquitto configuration adapted for `make run`, and the port checks."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from safegrid.monitoring import broker


def test_adapt_config_changes_only_listener_and_persistence(tmp_path):
    shipped = broker.SHIPPED_CONFIG.read_text()
    adapted = broker.adapt_config(shipped, host="127.0.0.1", port=18999, data_dir=tmp_path)
    changed = [(a, b) for a, b in zip(shipped.splitlines(), adapted.splitlines(), strict=True) if a != b]
    assert changed == [
        ("listener 1883 127.0.0.1", "listener 18999 127.0.0.1"),
        ("persistence_location /var/lib/mosquitto/", f"persistence_location {tmp_path}/"),
    ]
    assert "max_queued_messages 0" in adapted  # the no-drop queue settings are kept


def test_write_config_under_the_var_dir(tmp_path):
    conf = broker.write_config(tmp_path, host="127.0.0.1", port=18998)
    assert conf == tmp_path / "mosquitto" / "mosquitto.conf"
    assert "listener 18998 127.0.0.1" in conf.read_text()


def _listening() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    return server, server.getsockname()[1]


def test_check_and_wait(capsys):
    server, port = _listening()
    try:
        assert broker.answers("127.0.0.1", port)
        call_command("broker", "--check", "--port", str(port))
        call_command("broker", "--port", str(port))  # something answers: used, nothing started
        assert "using the one already answering" in capsys.readouterr().out
    finally:
        server.close()
    assert not broker.answers("127.0.0.1", port)
    assert not broker.wait_until_answers("127.0.0.1", port, 0)
    with pytest.raises(CommandError, match="no MQTT broker"):
        call_command("broker", "--wait", "0.2", "--port", str(port))


def test_no_mosquitto_says_how_to_get_one(monkeypatch):
    server, port = _listening()
    server.close()
    monkeypatch.setattr(broker, "mosquitto_binary", lambda: None)
    with pytest.raises(CommandError, match="apt-get install mosquitto"):
        call_command("broker", "--port", str(port))


def test_shipped_config_is_the_deploy_file():
    expected = Path(__file__).resolve().parents[4] / "deploy" / "mosquitto.conf"
    assert broker.SHIPPED_CONFIG.samefile(expected)
