"""Major hazard sources: views, one module per area (sources, work)."""
