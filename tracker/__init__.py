"""mentoring-tracker core: config, data model, store, polling, metrics, privacy and CLI."""

__version__ = "0.1.0"
