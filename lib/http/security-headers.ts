/**
 * The security headers every page and response of the app carries, built by
 * middleware.ts for each request. Free of Node APIs: middleware runs on the
 * Edge runtime (lib/config imports only zod, so it reads the configuration there too).
 *
 * Scripts run only with the request's nonce (Next puts it on its own scripts
 * after reading it from the Content-Security-Policy request header) or when a
 * nonced script loads them ('strict-dynamic'), so an injected <script> or
 * event handler attribute does not run. Styles allow inline: Radix and the
 * theme switcher write style attributes and <style> elements without a nonce,
 * and a style cannot run script. Images come from the app itself (integration
 * logos are served by the app) or data: URLs (a logo's preview before upload).
 *
 * API routes answer JSON and files, never pages: they get a policy under which
 * nothing loads or runs at all, so a served file cannot act in the app's origin.
 */
import { getConfig, type Config } from "@/lib/config";
import { isTrusted, normalizeIp, PEER_HEADER, trustedProxies } from "./trusted-proxies";

type Env = Pick<
  Config,
  "NODE_ENV" | "NEXTAUTH_URL" | "TRUSTED_PROXIES" | "S3_BUCKET" | "S3_ENDPOINT" | "S3_REGION" | "S3_FORCE_PATH_STYLE"
>;

/** 128 random bits, base64: a fresh script nonce for one response. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * The origin the browser PUTs evidence files to, when the object store is S3
 * (lib/uploads/direct.ts signs those PUTs); null for the local store, where
 * files stream through the app.
 */
export function directUploadOrigin(env: Env = getConfig()): string | null {
  const bucket = env.S3_BUCKET;
  if (!bucket) return null;
  const endpoint = env.S3_ENDPOINT;
  const pathStyle = env.S3_FORCE_PATH_STYLE ?? Boolean(endpoint);
  try {
    if (endpoint) {
      const url = new URL(endpoint);
      return pathStyle ? url.origin : `${url.protocol}//${bucket}.${url.host}`;
    }
    const region = env.S3_REGION || "us-east-1";
    return pathStyle ? `https://s3.${region}.amazonaws.com` : `https://${bucket}.s3.${region}.amazonaws.com`;
  } catch {
    return null;
  }
}

export function contentSecurityPolicy(opts: { nonce: string; dev: boolean; https: boolean; connect: (string | null)[] }): string {
  const connect = ["'self'", ...opts.connect.filter((o): o is string => !!o)];
  const directives = [
    "default-src 'self'",
    // 'unsafe-eval' only in development, where React rebuilds server error stacks with eval.
    `script-src 'nonce-${opts.nonce}' 'strict-dynamic'${opts.dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(" ")}${opts.dev ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "frame-src 'none'",
    "worker-src 'self'",
    "manifest-src 'self'",
  ];
  if (opts.https) directives.push("upgrade-insecure-requests");
  return directives.join("; ");
}

/**
 * Whether the browser reached the app over https: the public URL says so, or
 * the socket peer is a trusted proxy that says it took the request over https.
 * X-Forwarded-Proto from anyone else is a header any client can write.
 */
export function isHttpsRequest(headers: Headers, env: Env = getConfig()): boolean {
  if (env.NEXTAUTH_URL?.toLowerCase().startsWith("https:")) return true;
  const peer = normalizeIp(headers.get(PEER_HEADER));
  if (!peer || !isTrusted(peer, trustedProxies(env.TRUSTED_PROXIES))) return false;
  // The nearest proxy appends its own value last.
  const proto = headers.get("x-forwarded-proto")?.split(",").pop()?.trim().toLowerCase();
  return proto === "https";
}

export const HSTS = "max-age=63072000; includeSubDomains";

/** For JSON and files: nothing in such an answer may load, run or be framed. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** next-auth's routes can answer with its own HTML pages (errors, provider sign-in), so they keep the page policy. */
export function isApiAnswer(pathname: string): boolean {
  return pathname.startsWith("/api/") && !pathname.startsWith("/api/auth/");
}

export type SecurityHeaders = { nonce: string; csp: string; https: boolean };

export function securityHeadersFor(headers: Headers, pathname: string, env: Env = getConfig()): SecurityHeaders {
  const nonce = newNonce();
  const https = isHttpsRequest(headers, env);
  const dev = env.NODE_ENV === "development";
  const csp = isApiAnswer(pathname) ? API_POLICY : contentSecurityPolicy({ nonce, dev, https, connect: [directUploadOrigin(env)] });
  return { nonce, https, csp };
}

/** Sets the response headers (they replace a route's own values, so routes that serve files use the same API policy). */
export function applySecurityHeaders(response: Headers, security: SecurityHeaders): void {
  response.set("Content-Security-Policy", security.csp);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "same-origin");
  response.set("X-Frame-Options", "DENY");
  if (security.https) response.set("Strict-Transport-Security", HSTS);
}
