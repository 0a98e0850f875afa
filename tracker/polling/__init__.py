"""Polling: the engine, budgets, retries, workers, the scheduler and poll health."""
