/**
 * A callback target for tests: an express endpoint that receives provisioning
 * operations and behaves as told per operation: accept and call back success
 * or failed, answer 500 or 429, answer garbage (bytes that are not HTTP), or
 * accept and never call back. It records every request it received.
 */
import type { AddressInfo, Socket } from "node:net";
import express from "express";

export type TargetBehaviour =
  | { kind: "success"; accountExternalId?: string; delayMs?: number }
  | { kind: "failed"; message: string }
  | { kind: "status"; status: number; body?: unknown; retryAfter?: string }
  | { kind: "garbage" }
  | { kind: "silent" };

export type ReceivedOperation = {
  taskId: string;
  operation: Record<string, unknown>;
  callbackUrl: string;
  callbackExpiresAt: string;
  authorization: string | undefined;
};

export type Deliver = (url: string, body: unknown) => Promise<{ status: number; body: unknown }>;

export type CallbackTarget = {
  url: string;
  received: ReceivedOperation[];
  /** Answers of the callbacks the target made. */
  callbacks: { status: number; body: unknown }[];
  /** The behaviour for the next operations, in order; the last one repeats. */
  behave(...b: TargetBehaviour[]): void;
  stop(): Promise<void>;
};

/**
 * Starts the target on a free port. `deliver` makes the callback: by default a
 * fetch of the callback URL; integration tests without an HTTP server pass the
 * route handler itself.
 */
export async function startCallbackTarget(deliver: Deliver = fetchDeliver): Promise<CallbackTarget> {
  const received: ReceivedOperation[] = [];
  const callbacks: { status: number; body: unknown }[] = [];
  let plan: TargetBehaviour[] = [{ kind: "success" }];
  const app = express();
  app.use(express.json());
  app.post("/ops", (req, res) => {
    const op = { ...(req.body as Omit<ReceivedOperation, "authorization">), authorization: req.headers.authorization };
    received.push(op);
    const b = plan.length > 1 ? plan.shift()! : plan[0];
    switch (b.kind) {
      case "status":
        if (b.retryAfter) res.setHeader("retry-after", b.retryAfter);
        res.status(b.status).json(b.body ?? { error: `HTTP ${b.status}` });
        return;
      case "garbage":
        (req.socket as Socket).end("\x00\x01 this is not HTTP \xff\r\n\r\n");
        return;
      case "silent":
        res.status(202).json({ accepted: true });
        return;
      case "success":
      case "failed":
        res.status(202).json({ accepted: true });
        setTimeout(
          () => {
            const body =
              b.kind === "success"
                ? { status: "success", ...(b.accountExternalId ? { accountExternalId: b.accountExternalId } : {}) }
                : { status: "failed", message: b.message };
            void deliver(op.callbackUrl, body).then(
              (r) => callbacks.push(r),
              (e) => callbacks.push({ status: 0, body: String(e) }),
            );
          },
          b.kind === "success" ? (b.delayMs ?? 100) : 100,
        );
        return;
    }
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/ops`,
    received,
    callbacks,
    behave(...b) {
      plan = b;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function fetchDeliver(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json().catch(() => null) };
}
