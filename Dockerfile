# The Vigil gateway image: builds the workspace, then runs only what the gateway needs.
FROM node:20-bookworm-slim AS build
# ssh2's optional native crypto binding builds from source.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN npx --yes pnpm@10.34.9 install --frozen-lockfile \
 && npx --yes pnpm@10.34.9 run build \
 && npx --yes pnpm@10.34.9 --filter @vigil/gateway deploy --prod --legacy /opt/vigil/gateway \
 && cp -r apps/web/dist /opt/vigil/web

FROM node:20-bookworm-slim
ENV NODE_ENV=production
COPY --from=build /opt/vigil /opt/vigil
RUN mkdir -p /var/lib/vigil && chown node:node /var/lib/vigil
USER node
WORKDIR /opt/vigil/gateway
EXPOSE 8022
ENTRYPOINT ["node", "dist/main.js"]
