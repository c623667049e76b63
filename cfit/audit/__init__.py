"""Who changed what, when: one audit record per state change, written by the action inside its transaction."""
