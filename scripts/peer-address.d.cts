/** Types for the preload (scripts/peer-address.cjs), for its unit test. */
export declare const HEADER: string;
export declare function markPeer(req: {
  socket?: { remoteAddress?: string };
  headers: Record<string, unknown>;
  rawHeaders: string[];
}): void;
