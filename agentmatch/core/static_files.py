"""Static files as a deployment serves them: collected, hashed, compressed, cached for a year.

`agentmatch collectstatic` (part of set-up: `make run`, the deployment's build) copies every
file into STATIC_ROOT under a name with a hash of its content (uswds.3f2a91c0d4e5.css),
writes gzip and brotli copies beside it, and records the names in a manifest that
`{% static %}` reads. A hashed name never changes content, so browsers may keep it a year
without asking again; a new version is a new name. WhiteNoise serves the compressed copy
the browser accepts.
"""

from whitenoise.middleware import WhiteNoiseMiddleware

ONE_YEAR = 365 * 24 * 60 * 60


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    # WhiteNoise's own "forever" is ten years; a year is what HTTP caches are told to
    # expect at most, and far longer than any version of a file is served.
    FOREVER = ONE_YEAR
