"""The store: data model, migrations, the write path and the readers."""
