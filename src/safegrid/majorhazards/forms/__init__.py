"""Major hazard sources: forms, one module per area (sources, work)."""
