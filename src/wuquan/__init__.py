"""Wuquan (五权): power-operation supervision platform — see README.md and docs/."""
