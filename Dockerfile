# Image for docker-compose.yml: builds the dashboard, then the Django app.
FROM node:20-slim AS frontend
WORKDIR /frontend
COPY frontend/ ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; else mkdir -p dist; fi

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=frontend /frontend/dist ./frontend/dist
# Pre-compressed .gz next to each built file: the dashboard's bundle is served compressed.
RUN python -m whitenoise.compress -q frontend/dist
RUN useradd --create-home igny8 && mkdir -p /data/media /data/logs && chown -R igny8 /app /data
USER igny8
EXPOSE 8000
