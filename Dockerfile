# syntax=docker/dockerfile:1
# AgentMatch: one image for the web server, the workers and migrations.
#
#   docker build -t agentmatch .
#   docker run --rm --env-file .env agentmatch migrate --no-input
#   docker run -d --init --env-file .env -p 127.0.0.1:8000:8000 agentmatch web
#   docker run -d --init --env-file .env agentmatch worker
#
# compose.yaml does all of this with PostgreSQL; docs/deploy.md explains each step.
# No secret is baked in: every setting comes from the environment at run time.

ARG PYTHON_IMAGE=python:3.13-slim-bookworm
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS node

# --- Build: Python packages, npm ci, the asset build, collectstatic -------------------------
FROM ${PYTHON_IMAGE} AS build
# Node.js only in this stage; the runtime image has none.
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s /usr/local/lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
WORKDIR /src
COPY . .
# The same script the test suite runs (agentmatch/core/tests/test_release_build.py).
RUN scripts/build-release /opt/agentmatch

# --- Runtime: the release, Python, a user without privileges ---------------------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN groupadd --system --gid 10001 agentmatch \
 && useradd --system --uid 10001 --gid agentmatch --no-create-home \
      --home-dir /var/lib/agentmatch --shell /usr/sbin/nologin agentmatch \
 && install -d -o agentmatch -g agentmatch -m 0750 /var/lib/agentmatch
# Owned by root: the service can read its code and assets, never change them.
COPY --from=build /opt/agentmatch /opt/agentmatch
ENV PATH=/opt/agentmatch/venv/bin:$PATH \
    AGENTMATCH_DATA_DIR=/var/lib/agentmatch \
    STATIC_ROOT=/opt/agentmatch/static \
    HOST=0.0.0.0 \
    PORT=8000 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
USER 10001:10001
WORKDIR /var/lib/agentmatch
EXPOSE 8000
# The web server's /healthz (the database answers); compose turns it off for workers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-m", "agentmatch.core.healthcheck"]
# `agentmatch web` (gunicorn), `agentmatch worker`, `agentmatch migrate --no-input`, ...
ENTRYPOINT ["agentmatch"]
CMD ["web"]
