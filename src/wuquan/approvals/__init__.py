"""Cases (办件) from the window to the result (APR-1..11)."""
