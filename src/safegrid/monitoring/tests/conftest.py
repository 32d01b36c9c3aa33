import pytest


@pytest.fixture(autouse=True)
def _fresh_alarm_engine():
    """The process's engine (the ingest's sink) keeps points and alarms in memory; each test's rows are
    rolled back, so each test starts with an engine that knows nothing."""
    from safegrid.monitoring.alarm_engine import engine

    engine().forget()
    yield
    engine().forget()
