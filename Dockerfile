# syntax=docker/dockerfile:1
# Build:  docker build -t newsbot .
# Run:    docker run -d --name newsbot --env-file .env -v newsbot-data:/data newsbot
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# Versions come from requirements.lock (the same pins the Makefile uses).
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
COPY storage ./storage
COPY news ./news
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --upgrade pip && /opt/venv/bin/pip install -c requirements.lock .

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DATABASE_PATH=/data/newsbot.sqlite3
RUN useradd --system --uid 10001 --home-dir /app newsbot && mkdir -p /data /app && chown newsbot /data
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY samples ./samples
USER newsbot
VOLUME ["/data"]
# Webhook mode listens here when WEBHOOK_URL is set; long polling needs no port.
EXPOSE 8443
HEALTHCHECK --interval=60s --timeout=10s CMD python -c "import sqlite3,os; sqlite3.connect(os.environ['DATABASE_PATH']).execute('select 1')"
ENTRYPOINT ["newsbot"]
CMD ["run"]
