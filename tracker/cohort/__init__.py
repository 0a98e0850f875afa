"""The cohort: periods, per-person and cohort summaries, event effects, the since-the-kickoff
figures, the weekly table, and the self-assessment's changes and views."""
