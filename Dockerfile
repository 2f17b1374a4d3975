# Production image: gunicorn serving the app; the same image runs the Celery worker and beat.
FROM node:20-bookworm-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
COPY static static
RUN node scripts/build-assets.mjs

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 adoption
WORKDIR /app
COPY pyproject.toml README.md ./
COPY adoption adoption
COPY adopters adopters
COPY children children
COPY panels panels
COPY support support
COPY reporting reporting
RUN pip install --no-cache-dir .
COPY manage.py ./
COPY templates templates
COPY static static
COPY --from=assets /app/build build
# collectstatic needs settings that load; these values exist only for this build step.
RUN DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789abcdef \
    DJANGO_ALLOWED_HOSTS=build DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://build:6379/0 \
    python manage.py collectstatic --no-input
USER adoption
EXPOSE 8000
# gunicorn logs through the app's LOGGING and its privacy filter (adoption/gunicorn_conf.py): the access line names the
# path, never the query string, the referrer or a feedback link's token.
CMD ["gunicorn", "adoption.wsgi", "--config", "python:adoption.gunicorn_conf", "--bind", "0.0.0.0:8000", "--workers", "3"]
