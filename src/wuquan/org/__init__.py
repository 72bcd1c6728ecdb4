"""Units, posts (risk class A/B/C), people, appointments, leadership and 分管 areas (ORG-1..5)."""
