"""The public portal (阳光示权): home, publications, masking, checkpoints page (PUB-*)."""
