"""Democratic evaluations and anonymous ballots (EVA-1..4)."""
