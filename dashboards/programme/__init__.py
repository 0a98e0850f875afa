"""Helpers of the programme page: the cohort at a glance."""
