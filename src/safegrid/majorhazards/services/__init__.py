"""Major hazard sources: services, one module per area (sources, work)."""
