# fapi-sandbox in a container: the whole stack (IdP, gateway, mock Open Banking API, web UI and control
# API) in one Node process, as `npm start` runs it. Nothing is downloaded at run time.
#   docker build -t fapi-sandbox .
#   docker run --rm -p 3000:3000 -p 8443:8443 -p 8444:8444 -p 9443:9443 -p 9444:9444 fapi-sandbox
# Publish the ports 1:1: the IdP and the gateway put their own URLs (https://localhost:<port>) in
# discovery, tokens and links, and the server certificate covers localhost, 127.0.0.1 and ::1.
# docker-compose.yml does all of this (README "Docker").

FROM node:22-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1 PRISMA_HIDE_UPDATE_MESSAGE=1
# better-sqlite3 compiles from source when no prebuilt binary fits this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first (a layer that survives source edits); their install scripts run in `npm rebuild`.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY . .
# Prisma client, server (tsc -> dist/), web UI (next build -> .next/); then only what runs stays.
RUN node scripts/prisma-generate.mjs \
 && npm run build \
 && rm -rf .next/cache test e2e \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    FAPI_BIND=0.0.0.0 \
    FAPI_PUBLIC_HOST=localhost \
    FAPI_CERTS_DIR=/app/certs \
    FAPI_DATA_DIR=/app/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
# certs/ (the sandbox PKI, generated on the first start) and data/ (the SQLite database) outlive the container.
RUN mkdir -p /app/certs /app/data && chown node:node /app/certs /app/data
VOLUME ["/app/certs", "/app/data"]
USER node
# Web UI + control API, IdP, IdP mTLS aliases, gateway, gateway (strict TLS). The mock OB API stays on loopback.
EXPOSE 3000 8443 8444 9443 9444
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.FAPI_UI_PORT || 3000}/api/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "bin/fapi-sandbox.js"]
CMD ["start"]
