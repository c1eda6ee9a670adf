# One image for the four services; docker-compose.yml picks the entry point per service.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
COPY runtime/package.json runtime/
COPY schemas/package.json schemas/
COPY command-api/package.json command-api/
COPY ledger-processor/package.json ledger-processor/
COPY projector/package.json projector/
COPY query-api/package.json query-api/
COPY infra/package.json infra/
COPY testing/package.json testing/
COPY bench/package.json bench/
# tsx runs the TypeScript sources directly, as `npm start` does locally.
# npm install from the lockfile (npm ci rejects a lockfile without other platforms' optional binaries).
RUN npm install --no-audit --no-fund --include=dev
COPY tsconfig.base.json ./
COPY runtime runtime
COPY schemas schemas
COPY command-api command-api
COPY ledger-processor ledger-processor
COPY projector projector
COPY query-api query-api
COPY infra infra
USER node
ENTRYPOINT ["node", "--import", "tsx"]
CMD ["command-api/src/main.ts"]
