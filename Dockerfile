# One image, every entry point: the controller, the two Knative functions,
# the status page and the CLI, as compiled JavaScript run by node as the
# unprivileged `node` user. No TypeScript, tests, fixtures, bench, demo data
# or local stand-ins ship in it.
#
#   docker build -t activity-reindex .
#   docker run --rm activity-reindex                         # CLI help
#   docker run --rm activity-reindex bin/reindex.js migrate  # any CLI command but demo, demo-data, run, bench
#   args: ["dist/functions/window/main.js"]      # Knative Service reindex-window
#   args: ["dist/functions/aggregator/main.js"]  # Knative Service reindex-aggregator
#   args: ["dist/controller/main.js"]            # Deployment reindex-controller
#   args: ["dist/status-page/main.js"]           # Deployment reindex-status-page
ARG NODE_VERSION=22

# Every dependency as locked (the compiler among them), then `npm run build`.
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# What a cluster never runs leaves dist/ here: the local stand-ins, the
# bench, demo data and the manifests the local stand-ins read.
RUN npm run build && rm -rf dist/local dist/bench dist/knative dist/shared/demo

# Production dependencies only, exactly as locked, without the optional
# ones: those are chDB's per-platform native engines (543 MB of the 651), the
# embedded ClickHouse of `reindex demo`. On a cluster every component talks to
# a ClickHouse server (CLICKHOUSE_URL) and never imports chDB (it is imported
# on the embedded engine's first use only). No install script is needed:
# chdb's is empty and the build is done.
FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the runtime user: the app cannot rewrite itself.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
USER node
EXPOSE 8080 9090
ENTRYPOINT ["node"]
CMD ["bin/reindex.js", "--help"]
