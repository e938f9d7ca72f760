import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentmatch.settings")
application = get_wsgi_application()

# After setup: a server started without `agentmatch run` (gunicorn directly) must refuse
# an unsafe configuration too; the worker fails to boot with the message.
from agentmatch.core.checks import refuse_unsafe_settings  # noqa: E402

refuse_unsafe_settings()
