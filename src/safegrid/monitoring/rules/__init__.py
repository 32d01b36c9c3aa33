"""Pure monitoring rules: point kinds and their default limits, limit order, alarm evaluation."""
