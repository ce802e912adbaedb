"""The production server's settings; gunicorn reads this file from the working directory.

Sync workers, three per core and one more, behind nginx (or another buffering proxy)
that holds the slow connections of phones on 3G: each worker takes the next request when
it is free, so a burst spreads evenly. Threaded workers with kept-alive connections pin
each connection to one process and, on the check-in burst, tripled the slowest answers.
A check-in waits on the database for about a quarter of its time (its round trips and
the commit's flush to disk); with two workers per core the cores stood partly idle
during the burst, with three they do not (docs/decisions.md, 39).
"""

import multiprocessing
import os

bind = os.environ.get("CAKAP_BIND", "127.0.0.1:8001")
worker_class = "sync"
workers = int(os.environ.get("CAKAP_WORKERS", "0")) or 3 * multiprocessing.cpu_count() + 1
timeout = 60
accesslog = os.environ.get("CAKAP_ACCESS_LOG") or None
