"""Running the tracker for years: backups, restores, the erasure log that restores re-apply."""
