# One image for every process; docker-compose picks the entrypoint per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc tsconfig.base.json tsconfig.json ./
COPY packages ./packages
COPY db ./db
COPY workflows ./workflows
COPY activities ./activities
COPY gpu-activities ./gpu-activities
COPY apps ./apps
COPY tests/package.json ./tests/package.json
COPY temporal-config ./temporal-config
COPY scripts ./scripts
RUN npm ci && npx tsc -b packages/runtime apps/api apps/worker apps/gpu-worker apps/platform && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/src/main.js"]
