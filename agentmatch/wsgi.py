import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentmatch.settings")
application = get_wsgi_application()

# After setup: a server started without `agentmatch run` (gunicorn directly) must refuse
# an unsafe configuration too; the worker fails to boot with the message.
from agentmatch.core.checks import refuse_unsafe_settings  # noqa: E402

refuse_unsafe_settings()

# gunicorn runs with --preload: this module is imported once in its master process and the
# workers are forked from it, sharing what is loaded here (copy-on-write). Load now what
# Django and the app otherwise load on a worker's first request, so no consumer waits for
# it (measured on a busy 2-CPU machine: 6-20 s for the first request of each worker, then
# 0.1-0.2 s): the ZIP index, every URL's view module, both languages' catalogs. No
# database connection is opened here (forked workers would share its socket).
from django.conf import settings as _settings  # noqa: E402
from django.urls import get_resolver  # noqa: E402
from django.utils import translation  # noqa: E402

from agentmatch.core import geo  # noqa: E402

geo.load()
get_resolver().url_patterns  # noqa: B018 (imports the URLconf and every view)
for _code, _name in _settings.LANGUAGES:
    with translation.override(_code):
        translation.gettext("Help")
