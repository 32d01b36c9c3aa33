"""Pure rules of major hazard sources (no ORM): GB 18218 grading, lifecycle triggers, special-work validity."""
