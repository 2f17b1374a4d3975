"""Adoption support: see support/models.py. One module per part of the work (duty, asf, life_story)."""
