"""The production server's settings; gunicorn reads this file from the working directory.

Sync workers, two per core and one more, behind nginx (or another buffering proxy) that
holds the slow connections of phones on 3G: each worker takes the next request when it is
free, so a burst spreads evenly. Threaded workers with kept-alive connections pin each
connection to one process and, on the check-in burst, tripled the slowest answers.
"""

import multiprocessing
import os

bind = os.environ.get("CAKAP_BIND", "127.0.0.1:8001")
worker_class = "sync"
workers = int(os.environ.get("CAKAP_WORKERS", "0")) or 2 * multiprocessing.cpu_count() + 1
timeout = 60
accesslog = os.environ.get("CAKAP_ACCESS_LOG") or None
