# syntax=docker/dockerfile:1
#
# Follow-up: one image for the API and the workers (the role is the command).
#
#   docker build -t followup .
#   docker run --rm -e REDIS_URL=redis://host:6379 -p 3000:3000 followup                       # API + workers
#   docker run --rm -e REDIS_URL=… followup node --import tsx src/main.ts --role=workers        # workers only
#   docker run --rm -e REDIS_URL=… followup followup list                                       # the CLI
#
# The TypeScript runs through tsx's loader (a production dependency), the same
# way `npm start` runs it, so there is no separate build output to keep in step
# with config/seed and the bin shim. The `check` stage typechecks the whole tree
# so a broken commit fails the image build rather than the first start.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. Typecheck with the dev dependencies; nothing from here reaches the runtime image.
FROM ${NODE_IMAGE} AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && touch /app/.typechecked

# 3. Runtime: non-root, production dependencies, sources.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    OUTBOX_DIR=/app/outbox
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# Make the build wait for the typecheck stage (BuildKit skips stages nothing copies from).
COPY --from=check /app/.typechecked /tmp/.typechecked
COPY package.json package-lock.json tsconfig.json ./
COPY config ./config
COPY src ./src
COPY jobs ./jobs
COPY workers ./workers
COPY bin ./bin
RUN ln -s /app/bin/followup.js /usr/local/bin/followup \
 && mkdir -p /app/outbox \
 && chown node:node /app/outbox
USER node

EXPOSE 3000 9464
# Liveness only (/healthz answers while the process runs; /readyz also asks Redis).
# A workers-only container has no API port: set METRICS_PORT and HEALTHCHECK_PORT to it.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTHCHECK_PORT || process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself is PID 1's child under `init: true` (compose) and gets SIGTERM directly:
# main.ts stops taking jobs, lets active ones finish, then closes Redis.
CMD ["node", "--import", "tsx", "src/main.ts"]
