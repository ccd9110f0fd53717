# One image for every Fife process; the compose service picks the app with its command.
FROM node:20-bookworm-slim
WORKDIR /fife
ENV NODE_ENV=production
COPY . .
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
USER node
# Overridden per service, e.g. ["node", "--import", "tsx", "apps/registrar/src/main.ts"]
CMD ["node", "apps/cli/bin/fife.mjs", "--help"]
