"""Pure risks rules (no ORM): assessment methods and their tables, filing workflow, regional level, cards."""
