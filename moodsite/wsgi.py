import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "moodsite.settings")
application = get_wsgi_application()

# Load every view module now, then move what the process has built so far (Django, the apps, the
# URL conf: about 150,000 objects that live as long as the process) out of the cyclic garbage
# collector's sight. Otherwise each full collection scans them all and stalls whichever request
# triggered it by about 100 ms on this 2-core machine (measured with bench/tracker.py).
get_resolver().url_patterns  # noqa: B018 - imports every view module
gc.freeze()
