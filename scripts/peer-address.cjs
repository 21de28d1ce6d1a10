/**
 * Preloaded into the Next process (`node --require`, set through NODE_OPTIONS
 * by scripts/start.ts and the e2e app server). Next keeps an X-Forwarded-For
 * header the client sent and adds the socket's address only when there is
 * none, and neither middleware nor route handlers can see the socket. So
 * before Next reads a request, this writes the socket peer's address into
 * `x-syncledger-peer`, replacing whatever a client sent under that name; the
 * app (lib/http/request-meta.ts) then trusts X-Forwarded-For only as far as
 * TRUSTED_PROXIES says. Plain CommonJS so it needs no loader.
 */
"use strict";
const http = require("node:http");
const https = require("node:https");

const HEADER = "x-syncledger-peer";

function markPeer(req) {
  const raw = req.socket?.remoteAddress;
  // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
  const peer = raw ? raw.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1") : "";
  req.headers[HEADER] = peer;
  // rawHeaders is what a proxying Next forwards; keep it consistent with headers.
  const raws = req.rawHeaders;
  for (let i = raws.length - 2; i >= 0; i -= 2) {
    if (raws[i].toLowerCase() === HEADER) raws.splice(i, 2);
  }
  raws.push(HEADER, peer);
}

for (const mod of [http, https]) {
  const createServer = mod.createServer;
  mod.createServer = function (...args) {
    const server = createServer.apply(this, args);
    // Before the listener Next passed in, so Next never sees a forged value.
    server.prependListener("request", markPeer);
    return server;
  };
}

module.exports = { HEADER, markPeer };
