"""Setting an inspection up and building its team, in the service (no admin site needed)."""
