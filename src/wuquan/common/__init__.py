"""Shared plumbing (not a bounded context): domain errors, base templates, roles, helpers."""
