"""Gunicorn settings for the QM Portal in production.

Started by deploy/systemd/qmportal-web.service from /srv/qmportal:
    .venv/bin/gunicorn --config deploy/gunicorn.conf.py config.wsgi
Sized for a 2-core host; the worker count follows the core count if the host grows.
"""

import os

# nginx connects over a unix socket in /run/qmportal, which systemd creates (RuntimeDirectory=).
bind = "unix:/run/qmportal/gunicorn.sock"
# The socket comes out 0770: nginx (www-data, a member of group qmportal) connects, others cannot.
umask = 0o007

# Sync workers: requests are short CPU work plus queries, and nginx buffers slow clients and
# uploads, so a worker is never held by a slow connection.
worker_class = "sync"
workers = 2 * (os.cpu_count() or 1) + 1
timeout = 30
# On restart or stop, requests in flight get this long to finish (systemd waits a little longer).
graceful_timeout = 25
# Recycle workers now and then so a slow leak cannot grow; the jitter keeps them from all
# restarting at once.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file lives on tmpfs: on a disk-backed /tmp its fchmod can stall a worker.
worker_tmp_dir = "/run/qmportal"

# Over a unix socket gunicorn trusts every peer whatever this says; it matters only if `bind` is
# ever switched to TCP on loopback. Only X-Forwarded-Proto (which nginx overwrites) marks a request
# as HTTPS, so a client-supplied X-Forwarded-Ssl cannot contradict it.
forwarded_allow_ips = "127.0.0.1"
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# Logs go to stdout/stderr, i.e. the journal. %(U)s is the path without its query string and the
# referrer is left out: either may carry identifiers. A unix socket has no client address, so the
# address is the X-Real-IP header nginx sets.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%({x-real-ip}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'

proc_name = "qmportal"
# systemd supervises gunicorn (restart, HUP reload); the gunicornc control socket is not needed.
control_socket_disable = True
