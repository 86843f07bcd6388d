"""Preset index specs (TOML), shipped inside the package."""
