"""gunicorn settings: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Workers default to 2 x cores + 1 (gunicorn's own advice); WEB_CONCURRENCY overrides it.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# Recycle workers now and then so a slow leak can never take a server down.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# Several instances may run on one machine; the runtime control socket would be shared between them.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
