"""The cohort: periods, per-person and cohort summaries, and event effects."""
