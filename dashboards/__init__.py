"""The web dashboard: a Dash app on a Flask server with logins, roles and scoped pages."""
