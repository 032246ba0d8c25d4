"""Fault drills (`make faults`): the portal on a private PostgreSQL cluster, with the database
restarted, the SMTP server stopped, and web and task workers killed under load; each drill
prints its figures and fails on any loss. See docs/operations.md, "Fault drills"."""
