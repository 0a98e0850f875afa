"""Dash pages, one module per page (registered by ``dash.register_page``)."""
