"""Security scanners run by `make security` (docs/security.md, "Scanners")."""
