"""The 40-task division table of 附件1 and its follow-up (WRK-1..3)."""
