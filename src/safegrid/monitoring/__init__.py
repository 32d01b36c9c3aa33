"""Online monitoring and early warning (在线监测预警): monitoring points, readings, alarms, ingest."""
