"""Cadre selection supervision (干部选拔任用监督, 附件7): selections from 动议 to 任职, personal-matters
reports and spot checks, flags, supervision files, evaluation of selection work, and the
cross-platform conflict-of-interest index (PER-1..7)."""
