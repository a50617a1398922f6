"""Report text written by the lead inspector (see reports.services)."""
