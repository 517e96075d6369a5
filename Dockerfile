# One image for every role, chosen by its command: api, web, worker or migrate (docs/operations.md).
#   docker build -t cocommission .
#   docker run --rm --env-file prod.env cocommission migrate
#   docker run -d --env-file prod.env -p 3000:3000 cocommission api

# ---- build: every dependency from the lock file, then every app compiled to dist/
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci` rejects our lock file on this registry (platform packages it lacks); `npm install`
# with the lock file installs the same versions, as .ci/run does.
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npx nest build api && npx nest build worker && npx nest build web && npx nest build all-in-one

# ---- runtime: production dependencies only, the built code, the web app's templates and files
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY apps/web/views ./apps/web/views
COPY apps/web/static ./apps/web/static
COPY scripts/node-flags.json scripts/container-role.sh scripts/container-health.js ./scripts/
# The node image's unprivileged user (uid 1000); it owns nothing it runs.
USER node
EXPOSE 3000 3001 3002
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["node", "scripts/container-health.js"]
ENTRYPOINT ["sh", "scripts/container-role.sh"]
CMD ["api"]
