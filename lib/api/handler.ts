/**
 * Route-handler adapters. `withApiKey` authenticates a Bearer API key, checks
 * its scope and tenant, and maps application errors to JSON responses;
 * `withSession` does the same for browser requests. Neither trusts middleware.
 */
import "server-only";
import { randomUUID } from "node:crypto";
import { retryReadOnLostConnection } from "@/db/client";
import { NextResponse } from "next/server";
import { authenticateApiKey } from "@/lib/api-keys/service";
import { authorize, type ServiceContext } from "@/lib/auth/context";
import type { Permission } from "@/lib/auth/permissions";
import { AppError, isAppError, isNulCharacterError } from "@/lib/errors";
import { requestMetaFrom } from "@/lib/http/request-meta";
import { log } from "@/lib/log";
import { assertNoNul, NUL_MESSAGE } from "@/lib/validation";

export type RouteParams = Record<string, string | string[]>;
type Handler = (ctx: ServiceContext, req: Request, params: RouteParams) => Promise<Response | unknown>;

export const nulError = () => new AppError("bad_request:nul_character", `The request ${NUL_MESSAGE}.`);

export function errorResponse(e: unknown, requestId?: string | null): Response {
  if (isNulCharacterError(e)) e = nulError();
  if (isAppError(e)) {
    const headers: Record<string, string> = {};
    if (e.kind === "unauthorized") headers["WWW-Authenticate"] = 'Bearer realm="syncledger"';
    return NextResponse.json(
      { error: { code: e.code, message: e.message, ...(e.fieldErrors ? { fieldErrors: e.fieldErrors } : {}) } },
      { status: e.status, headers },
    );
  }
  const ref = requestId ?? randomUUID();
  log.error({ err: e, ref }, "route handler failed");
  return NextResponse.json(
    { error: { code: "internal", message: `Something went wrong on our side (reference ${ref}).` } },
    { status: 500 },
  );
}

function toResponse(result: unknown): Response {
  return result instanceof Response ? result : NextResponse.json(result);
}

export function bearerToken(req: Request): string {
  const header = req.headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AppError("unauthorized:api_key", "Send an API key as `Authorization: Bearer <key>`.");
  return match[1];
}

/**
 * GET and HEAD handlers read, so one whose database connection was lost
 * mid-request (a database restart) is run again once instead of answering 500.
 * Their only writes are an API key's last-used time and an export's audit row;
 * the worst a retry does is record an export twice when the reply to that
 * insert was lost. A streamed body that fails after the response began is not
 * retried.
 */
function isRead(req: Request): boolean {
  return req.method === "GET" || req.method === "HEAD";
}

export function withApiKey(permission: Permission, handler: Handler) {
  return async (req: Request, segment: { params: Promise<RouteParams> }) => {
    const meta = requestMetaFrom(req.headers);
    try {
      const run = async () => {
        const ctx = await authenticateApiKey(bearerToken(req), meta);
        authorize(ctx, permission);
        return toResponse(await handler(ctx, req, await segment.params));
      };
      return await (isRead(req) ? retryReadOnLostConnection(run) : run());
    } catch (e) {
      return errorResponse(e, meta.requestId);
    }
  };
}

/**
 * For browser-facing route handlers (exports, downloads, uploads): the
 * session's context. `null` when the service decides the permission itself.
 */
export function withSession(permission: Permission | null, handler: Handler) {
  return async (req: Request, segment: { params: Promise<RouteParams> }) => {
    const meta = requestMetaFrom(req.headers);
    try {
      const run = async () => {
        const { requireContext } = await import("@/lib/auth/session");
        const ctx = await requireContext(permission ?? undefined);
        return toResponse(await handler(ctx, req, await segment.params));
      };
      return await (isRead(req) ? retryReadOnLostConnection(run) : run());
    } catch (e) {
      return errorResponse(e, meta.requestId);
    }
  };
}

export function searchParamsObject(req: Request): Record<string, string> {
  const params = Object.fromEntries(new URL(req.url).searchParams.entries());
  assertNoNul(params, "query parameter");
  return params;
}

/** The request body as JSON, or a 400 that says what is wrong with it. */
export async function readJson(req: Request): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) {
    throw new AppError("bad_request:content_type", "Send the body as JSON with Content-Type: application/json.");
  }
  let body: unknown;
  try {
    body = await req.json();
  } catch {
    throw new AppError("bad_request:json", "The request body is not valid JSON.");
  }
  assertNoNul(body, "body");
  return body;
}

/** For session routes that change something: a cross-site page may not post with the user's cookie. */
export function assertSameOrigin(req: Request) {
  const origin = req.headers.get("origin");
  if (!origin) return;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  if (new URL(origin).host !== host) throw new AppError("forbidden:origin", "This request must come from this site.");
}
