/**
 * Run as its own process by tests that kill an app mid-upload: streams a
 * megabyte into the local object store at argv[2], says "streaming" once the
 * bytes are out, then waits for more that never come.
 */
import { PassThrough } from "node:stream";
import { LocalObjectStore } from "@/lib/storage/local";

const store = new LocalObjectStore({ root: process.argv[2], signingSecret: "x".repeat(32) });
const body = new PassThrough();
void store.put("evidence/big.pdf", body, { contentLength: 8 * 1024 * 1024 }).catch(() => {});
body.write(Buffer.alloc(1024 * 1024, 7), () => process.stdout.write("streaming\n"));
setInterval(() => {}, 60_000);
