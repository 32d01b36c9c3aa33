"""Documents the hazards app renders (PDF)."""
