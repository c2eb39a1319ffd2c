# One image, every entry point: the controller, the two Knative functions and
# the CLI. The sources are TypeScript run through tsx's loader (a runtime
# dependency), the same files the tests exercise, so there is no build step.
#
#   docker build -t activity-reindex .
#   docker run --rm activity-reindex                         # CLI help
#   docker run --rm activity-reindex bin/reindex.js migrate  # any CLI command
#   args: ["functions/window/main.ts"]      # Knative Service reindex-window
#   args: ["functions/aggregator/main.ts"]  # Knative Service reindex-aggregator
#   args: ["controller/main.ts"]            # Deployment reindex-controller
ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only, exactly as locked. chDB's engine comes as a
# prebuilt per-platform package (no compiler needed); it is the embedded
# ClickHouse for `reindex demo` and is unused when CLICKHOUSE_URL is set.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM node:${NODE_VERSION}-slim
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the runtime user: the app cannot rewrite
# itself. tsx writes its transpile cache under /tmp.
COPY --from=deps /app/node_modules ./node_modules
# .dockerignore lets in only the runtime sources (no tests, docs, manifests).
COPY . .
USER node
EXPOSE 8080
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["bin/reindex.js", "--help"]
