"""Sensor ingest: MQTT and HTTP payloads decoded, checked and written in bulk (see docs/monitoring.md)."""
