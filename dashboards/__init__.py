"""The web dashboard: a Dash app on a Flask server with logins, roles and scoped pages."""

__version__ = "0.1.0"  # fingerprints the files this package serves (dashboards.static_files)
