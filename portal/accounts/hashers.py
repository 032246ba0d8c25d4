"""Argon2id at OWASP's minimum cost (19 MiB, 2 passes, 1 lane).

Django's default Argon2 parameters cost ~0.3 s of CPU per check on a two-core host, which turns
a sign-in flood into a denial of service; OWASP's floor keeps the protection at a fraction of it.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2Hasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
