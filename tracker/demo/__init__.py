"""The demo programme: fictional people and data, filled by the real polling engine."""
