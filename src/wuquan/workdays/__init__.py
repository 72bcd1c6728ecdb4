"""The working-day calendar and deadline arithmetic (APR-2)."""
