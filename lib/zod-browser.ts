/**
 * Import first in every schema module a browser loads. Zod compiles object
 * parsers with `new Function` when it may, and probes for that even when it
 * then falls back; under the app's Content-Security-Policy (no 'unsafe-eval')
 * the probe is reported as a violation. In the browser the compiled parsers
 * buy nothing, so they are switched off there; the server keeps them.
 */
import { z } from "zod";

if (typeof window !== "undefined") z.config({ jitless: true });
