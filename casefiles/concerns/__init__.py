"""Safeguarding concerns found during an inspection: raised, followed up, closed."""
