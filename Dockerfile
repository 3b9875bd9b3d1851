# One image for every moodsite process (compose.yaml picks the command). Installs exactly what
# `make install` does, from requirements.txt, at build time: nothing is downloaded at run time.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends make nodejs npm libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt package.json package-lock.json Makefile ./
RUN make install PYTHON=python3
COPY . .
RUN DEBUG=false SECRET_KEY=build-only .venv/bin/python manage.py collectstatic --noinput
# var/ (SQLite, the embedded defaults) is not used with DATABASE_URL and S3_*; keep it writable anyway.
ENV MOODSITE_VAR_DIR=/tmp/moodsite-var
USER nobody
