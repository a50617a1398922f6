"""Building framework versions in the service: drafts, their checks, publishing, comparing."""
