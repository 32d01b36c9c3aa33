"""Major hazard sources: selectors, one module per area (sources, work)."""
