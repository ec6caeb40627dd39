# syntax=docker/dockerfile:1
#
# Follow-up: one image for the API and the workers (the role is the command).
#
#   docker build -t followup .
#   docker run --rm -e REDIS_URL=redis://host:6379 -p 3000:3000 followup                 # API + workers
#   docker run --rm -e REDIS_URL=… followup node dist/src/main.js --role=workers          # workers only
#   docker run --rm -e REDIS_URL=… followup followup list                                 # the CLI
#
# The runtime stage runs compiled JavaScript (`npm run build` → dist/) on the
# production dependencies only: no TypeScript, no tsx loader. The build stage
# typechecks the whole tree first, so a broken commit fails the image build
# rather than the first start. `npm start` (tsx) stays the development way.

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 2. Typecheck and build with the dev dependencies; only dist/ leaves this stage.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run build

# 3. Runtime: non-root, production dependencies, compiled code and its assets.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    OUTBOX_DIR=/app/outbox
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
# dist/src, dist/config (with seed/), dist/jobs, dist/workers, and src/**/*.lua as dist/src/**/*.lua.
COPY --from=build /app/dist ./dist
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
# the service stops taking jobs, lets active ones finish, then closes Redis.
CMD ["node", "dist/src/main.js"]
