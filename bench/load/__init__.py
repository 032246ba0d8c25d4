"""`make load`: simulated people against the portal for a bounded time (run.py, locustfile.py),
with the reports they were told of reconciled against the database (reconcile.py)."""
