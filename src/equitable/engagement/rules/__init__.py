"""Engagement rule presets (TOML), read by :func:`equitable.engagement.load_rules`."""
